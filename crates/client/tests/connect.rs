//! Native: `convo-client` against the in-process emulator (and backend) on loopback.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::{sync::Arc, time::Duration};

use convo_backend::testing::TestStack;
use convo_client::{
    Client, ClientConfig, ConnectionState, SessionTokenProvider, StaticTokenProvider,
};
use convo_wire::Credentials;
use futures_util::StreamExt;
use support::*;

#[tokio::test]
async fn test_connects_with_a_valid_token() {
    let emulator = emulator().await;
    let token = valid_token("alice");
    let client = Client::connect(config(&emulator), Arc::new(StaticTokenProvider(token)));
    assert_eq!(
        wait_for(&client, |s| *s == ConnectionState::Connected).await,
        ConnectionState::Connected
    );
    assert_eq!(emulator.state().connected_identities(), ["alice"]);
    client.shutdown();
    wait_for(&client, |s| *s == ConnectionState::Disconnected).await;
}

#[tokio::test]
async fn test_connects_with_a_session_from_the_backend_and_refreshes_without_a_new_conversation() {
    let stack = TestStack::spawn().await;
    let url = stack.backend.url();
    let tokens =
        SessionTokenProvider::new(format!("{url}/api/session"), format!("{url}/api/token"));
    let sessions = tokens.session();
    let client = Client::connect(config(&stack.emulator), Arc::new(tokens.clone()));
    wait_for(&client, |s| *s == ConnectionState::Connected).await;
    let session = sessions.get().expect("a session was started");
    assert!(session.identity.starts_with("visitor-"), "{session:?}");
    assert_eq!(
        stack.emulator.state().connected_identities(),
        std::slice::from_ref(&session.identity)
    );

    // A reconnect fetches a token again: same session, same conversation.
    stack.emulator.state().close_all_connections();
    wait_for(&client, |s| matches!(s, ConnectionState::Reconnecting { .. })).await;
    wait_for(&client, |s| *s == ConnectionState::Connected).await;
    let after = sessions.get().unwrap();
    assert_eq!(
        (&after.identity, &after.conversation_sid),
        (&session.identity, &session.conversation_sid)
    );
}

#[tokio::test]
async fn test_wrong_secret_ends_in_denied() {
    let emulator = emulator().await;
    let client = Client::connect(
        config(&emulator),
        Arc::new(StaticTokenProvider(token_for("alice", "wrong", now(), 3600))),
    );
    let state = wait_for(&client, ConnectionState::is_terminal).await;
    assert!(matches!(state, ConnectionState::Denied { code: 20101, .. }), "{state:?}");
}

#[tokio::test]
async fn test_expired_token_ends_in_denied() {
    let emulator = emulator().await;
    let expired = token_for("alice", &Credentials::development().api_secret, now() - 7200, 3600);
    let client = Client::connect(config(&emulator), Arc::new(StaticTokenProvider(expired)));
    let state = wait_for(&client, ConnectionState::is_terminal).await;
    assert!(matches!(state, ConnectionState::Denied { code: 20104, .. }), "{state:?}");
}

#[tokio::test]
async fn test_backend_refusal_ends_in_denied() {
    let stack = TestStack::spawn().await;
    let url = stack.backend.url();
    let tokens =
        SessionTokenProvider::new(format!("{url}/api/session"), format!("{url}/api/token"))
            .resume("forged.handle");
    let client = Client::connect(config(&stack.emulator), Arc::new(tokens));
    let state = wait_for(&client, ConnectionState::is_terminal).await;
    assert!(
        matches!(&state, ConnectionState::Denied { code: 401, reason } if reason.contains("session")),
        "{state:?}"
    );
}

#[tokio::test]
async fn test_reconnects_after_the_server_drops_every_connection() {
    let emulator = emulator().await;
    let token = valid_token("alice");
    let client = Client::connect(config(&emulator), Arc::new(StaticTokenProvider(token)));
    wait_for(&client, |s| *s == ConnectionState::Connected).await;
    let mut states = client.subscribe_state();
    states.next().await; // the current state
    emulator.state().close_all_connections();
    let next = tokio::time::timeout(Duration::from_secs(5), states.next()).await.unwrap().unwrap();
    assert!(matches!(next, ConnectionState::Reconnecting { attempt: 1, .. }), "{next:?}");
    wait_for(&client, |s| *s == ConnectionState::Connected).await;
}

#[tokio::test]
async fn test_unreachable_server_keeps_retrying_with_growing_backoff() {
    // A port nothing listens on: bind and drop.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut config = ClientConfig::new(format!("ws://127.0.0.1:{port}/v3/wsconnect"));
    config.backoff.min = Duration::from_millis(20);
    config.backoff.jitter = 0.0;
    let client = Client::connect(config, Arc::new(StaticTokenProvider("t".to_owned())));
    let third =
        wait_for(&client, |s| matches!(s, ConnectionState::Reconnecting { attempt: 3, .. })).await;
    assert_eq!(
        third,
        ConnectionState::Reconnecting { attempt: 3, retry_in: Duration::from_millis(80) }
    );
    client.shutdown();
}
