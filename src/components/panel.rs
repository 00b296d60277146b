//! The chat panel: header and, for now, the connection status.

use leptos::prelude::*;

use super::ConnectionStatus;
use crate::{
    i18n,
    state::{ChatHandle, Store},
};

/// The chat panel, shown while the store says it is open.
#[component]
pub fn Panel() -> impl IntoView {
    let store = Store::expect();
    let handle = ChatHandle::expect();
    view! {
        <section
            id="convo-panel"
            class="convo-panel"
            role="dialog"
            aria-label=i18n::PANEL_TITLE
            hidden=move || !store.open.get()
        >
            <header class="convo-panel__header">
                <h2 class="convo-panel__title">{i18n::PANEL_TITLE}</h2>
                <button
                    type="button"
                    class="convo-panel__close"
                    aria-label=i18n::CLOSE_CHAT
                    on:click=move |_| handle.close()
                >
                    "×"
                </button>
            </header>
            <ConnectionStatus />
        </section>
    }
}
