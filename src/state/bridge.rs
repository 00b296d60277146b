//! The only place that talks to `convo-client`: it starts the client and copies what the
//! client publishes into the store.

use std::sync::Arc;

use convo_client::{Client, ClientConfig, SessionTokenProvider};
use futures_util::StreamExt;
use leptos::prelude::*;

use super::Store;
use crate::WidgetConfig;

/// Starts a client for `config` and keeps `store.connection` in step with it.
pub fn connect(store: Store, config: &WidgetConfig) -> Client {
    let origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
    let tokens =
        Arc::new(SessionTokenProvider::new(config.session_url.clone(), config.token_url.clone()));
    let client = Client::connect(ClientConfig::new(config.absolute_twilsock_url(&origin)), tokens);
    let mut states = client.subscribe_state();
    leptos::task::spawn_local(async move {
        while let Some(state) = states.next().await {
            store.connection.set(state);
        }
    });
    client
}
