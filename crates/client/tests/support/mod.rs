//! Shared pieces of the native integration tests: an emulator, users with tokens, REST setup
//! and bounded waits on observables.
#![allow(dead_code, unreachable_pub)]

use std::{
    sync::Arc,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use convo_client::{
    Client, ClientConfig, ConnectionState, ConversationHandle, Observable, StaticTokenProvider,
    TimelineItem,
};
use convo_emulator::{Emulator, EmulatorConfig};
use convo_wire::{
    token::{self, Claims},
    Credentials,
};
use futures_util::StreamExt;
use serde_json::Value;

pub fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

pub fn token_for(identity: &str, secret: &str, issued: u64, ttl: u64) -> String {
    let c = Credentials::development();
    token::sign(
        &Claims::chat(&c.account_sid, &c.api_key, &c.chat_service_sid, identity, issued, ttl),
        secret,
    )
}

pub fn valid_token(identity: &str) -> String {
    token_for(identity, &Credentials::development().api_secret, now(), 3600)
}

pub async fn emulator() -> Emulator {
    Emulator::spawn(EmulatorConfig::default(), ([127, 0, 0, 1], 0).into()).await.unwrap()
}

pub fn config(emulator: &Emulator) -> ClientConfig {
    let mut config = ClientConfig::new(emulator.twilsock_url());
    // Keep reconnect tests fast; the schedule itself is unit-tested.
    config.backoff.min = Duration::from_millis(50);
    config.backoff.max = Duration::from_millis(400);
    config
}

pub fn client(emulator: &Emulator, identity: &str) -> Client {
    Client::connect(config(emulator), Arc::new(StaticTokenProvider(valid_token(identity))))
}

/// Waits up to 10 s for `observable` to satisfy `want`; fails with the last value seen.
pub async fn until<T: Clone + std::fmt::Debug>(
    observable: &Observable<T>,
    want: impl Fn(&T) -> bool,
) -> T {
    let mut values = observable.subscribe();
    let mut last = None;
    let found = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(value) = values.next().await {
            if want(&value) {
                return value;
            }
            last = Some(value);
        }
        unreachable!("observables never end")
    })
    .await;
    found.unwrap_or_else(|_| panic!("condition not reached; last value {last:?}"))
}

/// Waits until the client's state satisfies `want`, failing after `limit` with the history.
pub async fn state_within(
    client: &Client,
    limit: Duration,
    want: impl Fn(&ConnectionState) -> bool,
) -> ConnectionState {
    let mut states = client.subscribe_state();
    let mut seen = Vec::new();
    let found = tokio::time::timeout(limit, async {
        while let Some(state) = states.next().await {
            seen.push(state.clone());
            if want(&state) {
                return state;
            }
        }
        unreachable!("state stream ended")
    })
    .await;
    found.unwrap_or_else(|_| panic!("state not reached within {limit:?}; saw {seen:?}"))
}

/// [`state_within`] 10 s.
pub async fn wait_for(client: &Client, want: impl Fn(&ConnectionState) -> bool) -> ConnectionState {
    state_within(client, Duration::from_secs(10), want).await
}

pub async fn connected(client: &Client) {
    wait_for(client, |s| *s == ConnectionState::Connected).await;
}

/// Alice and Bob, both connected to conversation `sid` and seeing it.
pub async fn alice_and_bob(
    emulator: &Emulator,
    sid: &str,
) -> (Client, Client, ConversationHandle, ConversationHandle) {
    let (alice, bob) = (client(emulator, "alice"), client(emulator, "bob"));
    let (a, b) = (alice.conversation(sid), bob.conversation(sid));
    until(&a.info(), Option::is_some).await;
    until(&b.info(), Option::is_some).await;
    (alice, bob, a, b)
}

/// A REST call as a site owner's server would make it.
pub async fn rest(
    emulator: &Emulator,
    method: reqwest::Method,
    path: &str,
    form: &[(&str, &str)],
) -> Value {
    reqwest::Client::new()
        .request(method, format!("{}{path}", emulator.url()))
        .basic_auth("AC00000000000000000000000000000000", Some("convo-dev-auth-token"))
        .form(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap_or(Value::Null)
}

/// A conversation with these chat participants, made over REST. Returns its SID.
pub async fn conversation_with(emulator: &Emulator, identities: &[&str]) -> String {
    let created =
        rest(emulator, reqwest::Method::POST, "/v1/Conversations", &[("FriendlyName", "Support")])
            .await;
    let sid = created["sid"].as_str().unwrap().to_owned();
    for identity in identities {
        rest(
            emulator,
            reqwest::Method::POST,
            &format!("/v1/Conversations/{sid}/Participants"),
            &[("Identity", identity)],
        )
        .await;
    }
    sid
}

/// The bodies of the confirmed messages in a timeline, in order.
pub fn bodies(conversation: &ConversationHandle) -> Vec<String> {
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

/// Waits until the timeline's confirmed bodies satisfy `want`.
pub async fn until_bodies(
    conversation: &ConversationHandle,
    want: impl Fn(&[String]) -> bool,
) -> Vec<String> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let current = bodies(conversation);
        if want(&current) {
            return current;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("timeline condition not reached; have {current:?}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
