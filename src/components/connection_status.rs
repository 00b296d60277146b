//! One line saying whether the chat is connected.

use convo_client::ConnectionState;
use leptos::prelude::*;

use crate::{i18n, state::Store};

/// The connection status line, announced politely to screen readers.
#[component]
pub fn ConnectionStatus() -> impl IntoView {
    let store = Store::expect();
    let modifier = move || match store.connection.get() {
        ConnectionState::Connected => "convo-status convo-status--connected",
        ConnectionState::Denied { .. } | ConnectionState::Terminated { .. } => {
            "convo-status convo-status--error"
        }
        _ => "convo-status convo-status--pending",
    };
    view! {
        <p class=modifier role="status" aria-live="polite">
            {move || i18n::connection_label(&store.connection.get())}
        </p>
    }
}
