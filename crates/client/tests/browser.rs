//! In headless Chromium: `convo-client` compiled to wasm connects to a running backend and
//! emulator (started by `scripts/test`, which passes their URLs at compile time).
#![cfg(target_arch = "wasm32")]

use std::{sync::Arc, time::Duration};

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
