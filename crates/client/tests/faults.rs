//! Native: scripted faults against the in-process emulator. Whatever breaks — a socket
//! mid-send, a reply that comes too late or never, the server closing every connection,
//! a token expiring — every message arrives exactly once, in order.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::{
    sync::{
        atomic::{AtomicBool, AtomicUsize, Ordering},
        Arc,
    },
    time::Duration,
};

use convo_client::{
    platform::BoxFuture, Client, ConnectionState, Error, SendStatus, TimelineItem, Token,
    TokenProvider,
};
use convo_wire::Credentials;
use futures_util::StreamExt;
use serde_json::json;
use support::*;

/// Mints a fresh token per fetch (like a host backend), optionally refusing for a while.
struct Minting {
    identity: String,
    ttl: u64,
    available: AtomicBool,
    fetches: AtomicUsize,
}

impl Minting {
    fn new(identity: &str, ttl: u64) -> Arc<Self> {
        Arc::new(Minting {
            identity: identity.to_owned(),
            ttl,
            available: AtomicBool::new(true),
            fetches: AtomicUsize::new(0),
        })
    }
}

impl TokenProvider for Minting {
    fn fetch(&self) -> BoxFuture<'_, Result<Token, Error>> {
        Box::pin(async move {
            self.fetches.fetch_add(1, Ordering::SeqCst);
            if !self.available.load(Ordering::SeqCst) {
                return Err(Error::Network("backend unreachable".to_owned()));
            }
            let token =
                token_for(&self.identity, &Credentials::development().api_secret, now(), self.ttl);
            Ok(Token {
                token,
                identity: Some(self.identity.clone()),
                expires_at: None,
                twilsock_url: None,
            })
        })
    }
}

/// Every message of the conversation, as the server holds it.
fn server_bodies(emulator: &convo_emulator::Emulator, sid: &str) -> Vec<String> {
    emulator
        .state()
        .messages(sid)
        .into_iter()
        .map(|(_, _, body)| body.unwrap_or_default())
        .collect()
}

async fn until_server_has(
    emulator: &convo_emulator::Emulator,
    sid: &str,
    count: usize,
) -> Vec<String> {
    for _ in 0..500 {
        let bodies = server_bodies(emulator, sid);
        if bodies.len() >= count {
            return bodies;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server_bodies(emulator, sid)
}

fn numbered(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("m{i}")).collect()
}

#[tokio::test]
async fn test_socket_dropped_mid_send_loses_and_duplicates_nothing() {
    let emulator = emulator().await;
    let sid = conversation_with(&emulator, &["alice", "bob"]).await;
    let (_alice, _bob, a, b) = alice_and_bob(&emulator, &sid).await;
    for i in 0..20 {
        a.send_text(&format!("m{i}"), json!({})).await.unwrap();
        if i % 7 == 3 {
            emulator.state().drop_connections("alice");
        }
    }
    assert_eq!(
        until_server_has(&emulator, &sid, 20).await,
        numbered(20),
        "the server holds each once, in order"
    );
    assert_eq!(until_bodies(&b, |m| m.len() >= 20).await, numbered(20));
    assert_eq!(until_bodies(&a, |m| m.len() >= 20).await, numbered(20));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(server_bodies(&emulator, &sid).len(), 20, "no late duplicate");
}

#[tokio::test]
async fn test_a_reply_lost_after_the_server_applied_it_is_not_sent_twice() {
    let emulator = emulator().await;
    let sid = conversation_with(&emulator, &["alice", "bob"]).await;
    let mut config = config(&emulator);
    config.request_timeout = Duration::from_millis(400);
    let alice =
        Client::connect(config, Arc::new(convo_client::StaticTokenProvider(valid_token("alice"))));
    let bob = client(&emulator, "bob");
    let (a, b) = (alice.conversation(&sid), bob.conversation(&sid));
    until(&a.info(), Option::is_some).await;
    until(&b.info(), Option::is_some).await;
    // The first reply comes a second late (after the client gave up); the second never comes.
    emulator.state().delay_replies("alice", Some(Duration::from_secs(1)), 1);
    a.send_text("m0", json!({})).await.unwrap();
    assert_eq!(until_server_has(&emulator, &sid, 1).await, numbered(1));
    emulator.state().delay_replies("alice", None, 1);
    a.send_text("m1", json!({})).await.unwrap();
    a.send_text("m2", json!({})).await.unwrap();
    assert_eq!(until_bodies(&b, |m| m.len() >= 3).await, numbered(3));
    // The pending echoes resolve into the confirmed messages.
    until_bodies(&a, |m| m.len() >= 3).await;
    for _ in 0..200 {
        if a.timeline().get().iter().all(|i| matches!(i, TimelineItem::Remote(_))) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        a.timeline().get().iter().all(|i| matches!(i, TimelineItem::Remote(_))),
        "{:?}",
        a.timeline().get()
    );
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(server_bodies(&emulator, &sid), numbered(3), "each applied once");
}

#[tokio::test]
async fn test_the_server_closing_every_connection_between_events_loses_nothing() {
    let emulator = emulator().await;
    let sid = conversation_with(&emulator, &["alice", "bob"]).await;
    let (_alice, _bob, a, b) = alice_and_bob(&emulator, &sid).await;
    for i in 0..12 {
        let (from, to) = if i % 2 == 0 { (&a, &b) } else { (&b, &a) };
        from.send_text(&format!("m{i}"), json!({})).await.unwrap();
        emulator.state().close_all_connections();
        until_bodies(to, |m| m.len() > i).await;
    }
    assert_eq!(until_bodies(&b, |m| m.len() >= 12).await, numbered(12));
    assert_eq!(until_bodies(&a, |m| m.len() >= 12).await, numbered(12));
    assert_eq!(server_bodies(&emulator, &sid), numbered(12));
}

#[tokio::test]
async fn test_messages_sent_offline_show_as_queued_then_arrive_in_order_once() {
    let emulator = emulator().await;
    let sid = conversation_with(&emulator, &["alice", "bob"]).await;
    let tokens = Minting::new("alice", 3600);
    let alice = Client::connect(config(&emulator), tokens.clone());
    let bob = client(&emulator, "bob");
    let (a, b) = (alice.conversation(&sid), bob.conversation(&sid));
    until(&a.info(), Option::is_some).await;
    until(&b.info(), Option::is_some).await;

    // Offline: the backend is unreachable, so every reconnect attempt fails.
    tokens.available.store(false, Ordering::SeqCst);
    emulator.state().drop_connections("alice");
    wait_for(&alice, |s| matches!(s, ConnectionState::Reconnecting { .. })).await;
    for i in 0..3 {
        a.send_text(&format!("m{i}"), json!({})).await.unwrap();
    }
    let pending: Vec<SendStatus> = a
        .timeline()
        .get()
        .into_iter()
        .filter_map(|i| match i {
            TimelineItem::Pending(p) => Some(p.status.clone()),
            TimelineItem::Remote(_) => None,
        })
        .collect();
    assert_eq!(
        pending,
        [SendStatus::Queued, SendStatus::Queued, SendStatus::Queued],
        "shown as queued while offline"
    );
    assert!(server_bodies(&emulator, &sid).is_empty());

    tokens.available.store(true, Ordering::SeqCst);
    assert_eq!(until_bodies(&b, |m| m.len() >= 3).await, numbered(3));
    assert_eq!(server_bodies(&emulator, &sid), numbered(3));
}

#[tokio::test]
async fn test_a_reload_restores_what_was_unsent_and_each_message_is_applied_once() {
    let emulator = emulator().await;
    let sid = conversation_with(&emulator, &["alice", "bob"]).await;
    let tokens = Minting::new("alice", 3600);
    let first_page = Client::connect(config(&emulator), tokens.clone());
    let bob = client(&emulator, "bob");
    let (a, b) = (first_page.conversation(&sid), bob.conversation(&sid));
    until(&a.info(), Option::is_some).await;
    until(&b.info(), Option::is_some).await;

    // m0 reaches the server but its reply never comes back; then the network goes and m1 is
    // queued. Both are unsent as far as this page knows. (The fault takes alice's next
    // request of any kind: her reads of users and subscriptions finish first.)
    tokio::time::sleep(Duration::from_millis(500)).await;
    emulator.state().delay_replies("alice", None, 1);
    a.send_text("m0", json!({})).await.unwrap();
    assert_eq!(until_server_has(&emulator, &sid, 1).await, numbered(1));
    tokens.available.store(false, Ordering::SeqCst);
    emulator.state().drop_connections("alice");
    wait_for(&first_page, |s| matches!(s, ConnectionState::Reconnecting { .. })).await;
    a.send_text("m1", json!({})).await.unwrap();
    let kept = until(&a.unsent(), |u| u.len() == 2).await;
    let bodies: Vec<_> = kept.iter().map(|m| m.body.as_deref().unwrap_or_default()).collect();
    assert_eq!(bodies, ["m0", "m1"]);
    assert_ne!(kept[0].idempotency_key, kept[1].idempotency_key);

    // The reload: this page's client is gone; the next page's gets what was kept.
    first_page.shutdown();
    tokens.available.store(true, Ordering::SeqCst);
    let next_page = Client::connect(config(&emulator), tokens.clone());
    let again = next_page.conversation(&sid);
    again.restore(kept.clone()).await.unwrap();
    again.restore(kept).await.unwrap();
    assert_eq!(until_bodies(&b, |m| m.len() >= 2).await, numbered(2));
    until(&again.unsent(), Vec::is_empty).await;
    assert_eq!(until_bodies(&again, |m| m.len() >= 2).await, numbered(2));
    for _ in 0..200 {
        if again.timeline().get().iter().all(|i| matches!(i, TimelineItem::Remote(_))) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        again.timeline().get().iter().all(|i| matches!(i, TimelineItem::Remote(_))),
        "no echo left: {:?}",
        again.timeline().get()
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(server_bodies(&emulator, &sid), numbered(2), "m0 applied once, m1 once");
}

#[tokio::test]
async fn test_token_refresh_before_expiry_and_reconnect_after_a_410() {
    let emulator = emulator().await;
    let sid = conversation_with(&emulator, &["alice", "bob"]).await;
    // Less than the three-minute warning: the server asks for a new token at once.
    let tokens = Minting::new("alice", 150);
    let alice = Client::connect(config(&emulator), tokens.clone());
    let a = alice.conversation(&sid);
    until(&a.info(), Option::is_some).await;
    for _ in 0..200 {
        if tokens.fetches.load(Ordering::SeqCst) >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        tokens.fetches.load(Ordering::SeqCst) >= 2,
        "token_about_to_expire made the client fetch a new token"
    );
    assert_eq!(alice.state(), ConnectionState::Connected, "refreshed in place, no reconnect");

    // The server ends the session as if the token expired: the client reconnects with a
    // fresh token and nothing sent meanwhile is lost.
    let fetches = tokens.fetches.load(Ordering::SeqCst);
    emulator.state().close_with("alice", 410, Some(20104));
    a.send_text("after the 410", json!({})).await.unwrap();
    assert_eq!(until_server_has(&emulator, &sid, 1).await, ["after the 410"]);
    assert!(tokens.fetches.load(Ordering::SeqCst) > fetches, "a new token for the new connection");
    assert_eq!(alice.state(), ConnectionState::Connected);
}

#[tokio::test]
async fn test_server_close_codes() {
    let emulator = emulator().await;
    // 406: the server cannot speak with this client: final.
    let alice = client(&emulator, "alice");
    connected(&alice).await;
    emulator.state().close_with("alice", 406, None);
    let terminal = state_within(&alice, Duration::from_secs(5), ConnectionState::is_terminal).await;
    assert!(matches!(terminal, ConnectionState::Terminated { .. }), "{terminal:?}");

    // 401: denied, final.
    let bob = client(&emulator, "bob");
    connected(&bob).await;
    emulator.state().close_with("bob", 401, Some(20101));
    let state = state_within(&bob, Duration::from_secs(5), ConnectionState::is_terminal).await;
    assert!(matches!(state, ConnectionState::Denied { code: 20101, .. }), "{state:?}");

    // 308: reconnect (elsewhere), and the session resumes.
    let carol = client(&emulator, "carol");
    connected(&carol).await;
    emulator.state().close_with("carol", 308, None);
    let mut states = carol.subscribe_state();
    let mut saw_reconnecting = false;
    tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(state) = states.next().await {
            saw_reconnecting |= matches!(state, ConnectionState::Reconnecting { .. });
            if saw_reconnecting && state == ConnectionState::Connected {
                return;
            }
        }
    })
    .await
    .unwrap();
}
