//! The round button that opens and closes the chat.

use leptos::prelude::*;

use crate::{
    i18n,
    state::{ChatHandle, Store},
};

/// The launcher button.
#[component]
pub fn Launcher() -> impl IntoView {
    let store = Store::expect();
    let handle = ChatHandle::expect();
    let label = move || if store.open.get() { i18n::CLOSE_CHAT } else { i18n::OPEN_CHAT };
    view! {
        <button
            type="button"
            class="convo-launcher"
            aria-label=label
            aria-expanded=move || store.open.get().to_string()
            aria-controls="convo-panel"
            on:click=move |_| handle.toggle()
        >
            <svg class="convo-launcher__icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
                <path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z" />
            </svg>
        </button>
    }
}
