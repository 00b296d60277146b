//! The composer: a growing text area (Enter sends, Shift+Enter breaks the line), the attach
//! button, the draft's files, and a counter as the 32 KB limit nears. Read-only once the
//! conversation has ended (where it stays shown: the agent desk).

use leptos::{html, prelude::*};

use super::DraftFiles;
use crate::state::{ChatHandle, Phase, Store};

/// Show the counter from this share of the limit on.
const COUNTER_FROM: f64 = 0.8;

/// The message composer.
#[component]
pub fn Composer() -> impl IntoView {
    let store = Store::expect();
    let handle = ChatHandle::expect();
    let picker = NodeRef::<html::Input>::new();
    let limit = convo_client::limits::BODY_BYTES;
    let used = move || store.draft.with(String::len);
    let over = move || used() > limit;
    let empty =
        move || store.draft.with(|d| d.trim().is_empty()) && store.files.with(Vec::is_empty);
    let ended = move || store.phase.get() == Phase::Ended;
    let on_keydown = move |ev: web_sys::KeyboardEvent| {
        // Enter sends; Shift+Enter (and Enter while an IME composes) writes a line break.
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
            ev.prevent_default();
            if !over() {
                handle.send();
            }
        }
    };
    let on_pick = move |_| {
        let Some(input) = picker.get() else { return };
        if let Some(list) = input.files() {
            let files: Vec<web_sys::File> =
                (0..list.length()).filter_map(|i| list.get(i)).collect();
            handle.add_files(files);
        }
        // The same file can be picked again after removing it.
        input.set_value("");
    };
    view! {
        <form class="convo-composer" on:submit=move |ev: web_sys::SubmitEvent| { ev.prevent_default(); if !over() { handle.send(); } }>
            <DraftFiles />
            <div class="convo-composer__row">
                <button
                    type="button"
                    class="convo-icon-button"
                    aria-label=move || store.strings().attach
                    disabled=ended
                    on:click=move |_| {
                        if let Some(input) = picker.get() {
                            input.click();
                        }
                    }
                >
                    <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
                        <path d="M21 11l-8.5 8.5a5 5 0 0 1-7-7L14 4a3.5 3.5 0 0 1 5 5l-8.5 8.5a2 2 0 0 1-3-3L15 7" />
                    </svg>
                </button>
                <input type="file" multiple class="convo-visually-hidden" tabindex="-1" aria-hidden="true" node_ref=picker on:change=on_pick />
                <label for="convo-composer-input" class="convo-visually-hidden">{move || store.strings().composer_placeholder}</label>
                <textarea
                    id="convo-composer-input"
                    class="convo-composer__input"
                    rows="1"
                    placeholder=move || store.strings().composer_placeholder
                    readonly=ended
                    aria-invalid=move || over().to_string()
                    aria-describedby="convo-composer-counter"
                    prop:value=move || store.draft.get()
                    on:input=move |ev| {
                        store.draft.set(event_target_value(&ev));
                        handle.typing();
                    }
                    on:keydown=on_keydown
                ></textarea>
                <button type="submit" class="convo-send" aria-label=move || store.strings().send disabled=move || empty() || over() || ended()>
                    <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M3 20l18-8L3 4v6l12 2-12 2z" /></svg>
                </button>
            </div>
            <p id="convo-composer-counter" class="convo-composer__counter" aria-live="polite">
                {move || {
                    let strings = store.strings();
                    if ended() {
                        strings.ended.to_owned()
                    } else if over() {
                        strings.over_limit.to_owned()
                    } else if used() as f64 >= limit as f64 * COUNTER_FROM {
                        (strings.bytes_left)(limit - used())
                    } else {
                        String::new()
                    }
                }}
            </p>
        </form>
    }
}
