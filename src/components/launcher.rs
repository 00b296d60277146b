//! The round button that opens and closes the chat, with the unread count.

use leptos::prelude::*;

use super::shown;
use crate::state::{ChatHandle, Store};

/// The launcher button.
#[component]
pub fn Launcher() -> impl IntoView {
    let store = Store::expect();
    let handle = ChatHandle::expect();
    let config = handle.config();
    let class = if config.launcher_start {
        "convo-launcher convo-launcher--start"
    } else {
        "convo-launcher"
    };
    let label = move || {
        let strings = store.strings();
        let base = if store.open.get() { strings.close_chat } else { strings.open_chat };
        // A comma, not brackets: the badge's number is the button's visible text, and a name
        // must hold it outside any parenthetical (WCAG 2.5.3, as axe reads it).
        match store.unread.get() {
            0 => base.to_owned(),
            n => format!("{base}{}{}", strings.comma, (strings.unread)(n)),
        }
    };
    view! {
        <button
            type="button"
            class=class
            hidden=move || !store.launcher_visible.get()
            aria-label=label
            aria-expanded=move || store.open.get().to_string()
            aria-controls="convo-panel"
            on:click=Store::on(move |_| handle.toggle())
        >
            {match config.launcher_icon {
                Some(url) => view! { <img class="convo-launcher__icon" src=url alt="" /> }.into_any(),
                None => view! {
                    <svg class="convo-launcher__icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
                        <path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z" />
                    </svg>
                }.into_any(),
            }}

            {shown(move || store.unread.get() > 0, move || view! {
                <span class="convo-launcher__badge" aria-hidden="true">
                    {Store::text(move || { let n = store.unread.get(); if n > 99 { "99+".to_owned() } else { n.to_string() } })}
                </span>
            })}
        </button>
    }
}
