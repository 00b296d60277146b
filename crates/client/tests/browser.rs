//! In headless Chromium: `convo-client` compiled to wasm connects to a running backend and
//! emulator (started by `scripts/test`, which passes their URLs at compile time).
#![cfg(target_arch = "wasm32")]

use std::{sync::Arc, time::Duration};

use convo_client::{Attachment, ConversationHandle, SendStatus, TimelineItem};
use serde_json::json;

use convo_client::{
    platform, Client, ClientConfig, ConnectionState, SessionTokenProvider, StaticTokenProvider,
};
use convo_wire::{
    token::{self, Claims},
    Credentials,
};
use futures_util::StreamExt;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

// `scripts/test` starts the backend and emulator, then builds these tests with their URLs.
// Read with `option_env!` so builds without them (clippy) still compile; a run without them
// fails here with the reason.
fn backend_url() -> &'static str {
    match option_env!("CONVO_TEST_BACKEND_URL") {
        Some(url) => url,
        None => panic!("CONVO_TEST_BACKEND_URL must be set at build time (scripts/test does)"),
    }
}

fn twilsock_url() -> &'static str {
    match option_env!("CONVO_TEST_TWILSOCK_URL") {
        Some(url) => url,
        None => panic!("CONVO_TEST_TWILSOCK_URL must be set at build time (scripts/test does)"),
    }
}

fn emulator_url() -> &'static str {
    match option_env!("CONVO_TEST_EMULATOR_URL") {
        Some(url) => url,
        None => panic!("CONVO_TEST_EMULATOR_URL must be set at build time (scripts/test does)"),
    }
}

/// A visitor session's client; with `resume`, a second tab of the same session.
fn visitor(resume: Option<&str>) -> (Client, SessionTokenProvider) {
    let backend = backend_url();
    let mut tokens =
        SessionTokenProvider::new(format!("{backend}/api/session"), format!("{backend}/api/token"));
    if let Some(handle) = resume {
        tokens = tokens.resume(handle);
    }
    let mut config = ClientConfig::new(twilsock_url());
    config.backoff.min = Duration::from_millis(100);
    (Client::connect(config, Arc::new(tokens.clone())), tokens)
}

/// Polls `check` every 50 ms for up to 10 s.
async fn eventually(what: &str, check: impl Fn() -> bool) {
    for _ in 0..200 {
        if check() {
            return;
        }
        platform::sleep(Duration::from_millis(50)).await;
    }
    panic!("not reached within 10 s: {what}");
}

fn bodies(conversation: &ConversationHandle) -> Vec<String> {
    conversation
        .timeline()
        .get()
        .into_iter()
        .filter_map(|item| match item {
            TimelineItem::Remote(m) => Some(m.body.clone().unwrap_or_default()),
            TimelineItem::Pending(_) => None,
        })
        .collect()
}

/// Two tabs of one visitor, both showing the conversation.
async fn two_tabs() -> (Client, ConversationHandle, Client, ConversationHandle) {
    let (first, tokens) = visitor(None);
    eventually("the first tab has a session", || tokens.session().get().is_some()).await;
    let session = tokens.session().get().unwrap();
    let (second, _) = visitor(Some(&session.session));
    let (a, b) = (
        first.conversation(&session.conversation_sid),
        second.conversation(&session.conversation_sid),
    );
    eventually("both tabs loaded the conversation", || {
        a.info().get().is_some() && b.info().get().is_some()
    })
    .await;
    (first, a, second, b)
}

async fn wait_for(client: &Client, want: impl Fn(&ConnectionState) -> bool) -> ConnectionState {
    let mut states = client.subscribe_state();
    let mut seen = Vec::new();
    let found = platform::timeout(Duration::from_secs(10), async {
        while let Some(state) = states.next().await {
            seen.push(state.clone());
            if want(&state) {
                return Some(state);
            }
        }
        None
    })
    .await;
    found.flatten().unwrap_or_else(|| panic!("state not reached; saw {seen:?}"))
}

fn token_signed_with(secret: &str, issued: u64) -> String {
    let c = Credentials::development();
    token::sign(
        &Claims::chat(&c.account_sid, &c.api_key, &c.chat_service_sid, "wasm", issued, 3600),
        secret,
    )
}

fn now() -> u64 {
    (js_sys::Date::now() / 1000.0) as u64
}

#[wasm_bindgen_test]
async fn test_connects_with_a_session_from_the_backend() {
    let backend = backend_url();
    let tokens =
        SessionTokenProvider::new(format!("{backend}/api/session"), format!("{backend}/api/token"));
    let sessions = tokens.session();
    let client = Client::connect(ClientConfig::new(twilsock_url()), Arc::new(tokens));
    assert_eq!(
        wait_for(&client, |s| *s == ConnectionState::Connected).await,
        ConnectionState::Connected
    );
    assert!(sessions.get().is_some_and(|s| s.conversation_sid.starts_with("CH")));
    client.shutdown();
    wait_for(&client, |s| *s == ConnectionState::Disconnected).await;
}

#[wasm_bindgen_test]
async fn test_wrong_secret_is_denied() {
    let tokens = Arc::new(StaticTokenProvider(token_signed_with("wrong", now())));
    let client = Client::connect(ClientConfig::new(twilsock_url()), tokens);
    let state = wait_for(&client, ConnectionState::is_terminal).await;
    assert!(matches!(state, ConnectionState::Denied { code: 20101, .. }), "{state:?}");
}

#[wasm_bindgen_test]
async fn test_expired_token_is_denied() {
    let tokens = Arc::new(StaticTokenProvider(token_signed_with(
        &Credentials::development().api_secret,
        now() - 7200,
    )));
    let client = Client::connect(ClientConfig::new(twilsock_url()), tokens);
    let state = wait_for(&client, ConnectionState::is_terminal).await;
    assert!(matches!(state, ConnectionState::Denied { code: 20104, .. }), "{state:?}");
}

#[wasm_bindgen_test]
async fn test_send_and_receive_between_two_tabs() {
    let (_first, a, _second, b) = two_tabs().await;
    a.send_text("from tab one", json!({ "tab": 1 })).await.unwrap();
    b.send_text("from tab two", json!({})).await.unwrap();
    // The backend's greeting bot answers the first message too.
    let both = |c: &ConversationHandle| {
        let seen = bodies(c);
        seen.contains(&"from tab one".to_owned()) && seen.contains(&"from tab two".to_owned())
    };
    eventually("both tabs show both messages", || both(&a) && both(&b)).await;
    eventually("both tabs agree", || bodies(&a) == bodies(&b)).await;
}

#[wasm_bindgen_test]
async fn test_upload_reports_progress_and_cancel_stops_it() {
    let (_first, a, _second, b) = two_tabs().await;
    let big = Attachment {
        filename: "big.bin".into(),
        content_type: "application/octet-stream".into(),
        bytes: vec![7; 3_000_000],
    };
    let (_, mut changes) = a.timeline().subscribe();
    a.send(Some("with a file".into()), json!({}), vec![big]).await.unwrap();
    let mut progress = Vec::new();
    for _ in 0..400 {
        while let Ok(change) = changes.try_recv() {
            if let convo_client::VectorDiff::Set { value: TimelineItem::Pending(p), .. } = change {
                if let SendStatus::Uploading { sent, total } = p.status {
                    progress.push((sent, total));
                }
            }
        }
        if bodies(&b).contains(&"with a file".to_owned()) {
            break;
        }
        platform::sleep(Duration::from_millis(25)).await;
    }
    assert!(bodies(&b).contains(&"with a file".to_owned()), "the other tab got the message");
    assert!(
        progress.iter().any(|(sent, total)| *total == 3_000_000 && *sent > 0),
        "XHR progress reported: {progress:?}"
    );

    // Cancel an upload in flight: it leaves the timeline and never reaches the server.
    let huge = Attachment {
        filename: "huge.bin".into(),
        content_type: "application/octet-stream".into(),
        bytes: vec![1; 40_000_000],
    };
    let local = a.send(Some("never sent".into()), json!({}), vec![huge]).await.unwrap();
    eventually("the upload started", || {
        a.timeline().get().iter().any(|i| matches!(i, TimelineItem::Pending(p) if p.local_id == local && matches!(p.status, SendStatus::Uploading { .. })))
    })
    .await;
    a.cancel(local).unwrap();
    eventually("the cancelled message left the timeline", || {
        !a.timeline()
            .get()
            .iter()
            .any(|i| matches!(i, TimelineItem::Pending(p) if p.local_id == local))
    })
    .await;
    a.send_text("after the cancel", json!({})).await.unwrap();
    eventually("later messages still go", || bodies(&b).contains(&"after the cancel".to_owned()))
        .await;
    assert!(!bodies(&b).contains(&"never sent".to_owned()));
}

#[wasm_bindgen_test]
async fn test_reconnects_after_the_socket_drops_and_delivers_what_was_queued() {
    let (first, a, _second, b) = two_tabs().await;
    let identity = first.identity().get().unwrap();
    let mut states = first.subscribe_state();
    // The emulator's test hook drops this visitor's sockets, as a network cut would.
    let url = format!("{}/_testing/drop?identity={identity}", emulator_url());
    let dropped = platform::post_json(&url, &[], platform::CredentialsMode::Omit, String::new())
        .await
        .unwrap();
    assert_eq!(dropped.status, 204);
    a.send_text("sent across the drop", json!({})).await.unwrap();
    let mut saw_reconnecting = false;
    let reconnected = platform::timeout(Duration::from_secs(10), async {
        while let Some(state) = states.next().await {
            saw_reconnecting |= matches!(state, ConnectionState::Reconnecting { .. });
            if saw_reconnecting && state == ConnectionState::Connected {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(reconnected, Some(true));
    eventually("the queued message arrived", || {
        bodies(&b).contains(&"sent across the drop".to_owned())
    })
    .await;
    let copies = bodies(&b).iter().filter(|m| *m == "sent across the drop").count();
    assert_eq!(copies, 1, "delivered once");
}

#[wasm_bindgen_test]
async fn test_going_back_online_reconnects_at_once_instead_of_waiting_out_the_backoff() {
    let backend = backend_url();
    let tokens =
        SessionTokenProvider::new(format!("{backend}/api/session"), format!("{backend}/api/token"));
    let mut config = ClientConfig::new(twilsock_url());
    // A backoff far longer than the test allows: only the wake-up can reconnect in time.
    config.backoff.min = Duration::from_secs(60);
    config.backoff.jitter = 0.0;
    let client = Client::connect(config, Arc::new(tokens));
    wait_for(&client, |s| *s == ConnectionState::Connected).await;
    let identity = client.identity();
    eventually("the identity is known", || identity.get().is_some()).await;
    let url = format!("{}/_testing/drop?identity={}", emulator_url(), identity.get().unwrap());
    platform::post_json(&url, &[], platform::CredentialsMode::Omit, String::new()).await.unwrap();
    wait_for(&client, |s| matches!(s, ConnectionState::Reconnecting { .. })).await;
    let online = web_sys::Event::new("online").unwrap();
    web_sys::window().unwrap().dispatch_event(&online).unwrap();
    wait_for(&client, |s| *s == ConnectionState::Connected).await;
}
