//! The composer: a growing text area (Enter sends, Shift+Enter breaks the line), the attach
//! button, the draft's files, and a counter as the 32 KB limit nears. Read-only once the
//! conversation has ended (where it stays shown: the agent desk).
//!
//! It also edits the visitor's messages: "Editing message" shows above the text area, which
//! holds the message's text (the draft waits, untouched); Enter saves, Escape cancels. Up arrow
//! in an empty composer edits the newest message, as in most chat apps.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::{bind, DraftFiles, Slot};
use crate::effect::effect;
use crate::state::{ChatHandle, Phase, Store};

/// Show the counter from this share of the limit on.
const COUNTER_FROM: f64 = 0.8;

/// The message composer.
#[component]
pub fn Composer() -> impl IntoView {
    let store = Store::expect();
    let handle = ChatHandle::expect();
    let picker = Slot::new();
    let input = Slot::new();
    let limit = convo_client::limits::BODY_BYTES;
    let editing = move || store.editing.with(Option::is_some);
    // What the text area holds: the message being edited, or the draft.
    let text = move || if editing() { store.edit_text } else { store.draft };
    let used = move || text().with(String::len);
    let over = move || used() > limit;
    let empty = move || {
        text().with(|d| d.trim().is_empty()) && (editing() || store.files.with(Vec::is_empty))
    };
    let ended = move || store.phase.get() == Phase::Ended;
    let submit = move || {
        if over() {
        } else if editing() {
            handle.save_edit();
        } else {
            handle.send();
        }
    };
    // Editing starts from the row menu too: the text area takes the focus, caret at the end.
    effect(move || {
        if editing() {
            if let Some(input) = input.get_untracked() {
                let input: web_sys::HtmlTextAreaElement = input.unchecked_into();
                let _ = input.focus();
                let end = input.value().encode_utf16().count() as u32;
                let _ = input.set_selection_range(end, end);
            }
        }
    });
    let on_keydown = move |ev: web_sys::KeyboardEvent| {
        match ev.key().as_str() {
            // Enter sends; Shift+Enter (and Enter while an IME composes) writes a line break.
            "Enter" if !ev.shift_key() && !ev.is_composing() => {
                ev.prevent_default();
                submit();
            }
            "Escape" if editing() => {
                // Only the edit ends, not the panel.
                ev.prevent_default();
                ev.stop_propagation();
                handle.cancel_edit();
            }
            "ArrowUp"
                if !editing()
                    && !ev.shift_key()
                    && !ev.is_composing()
                    && store.draft.with_untracked(String::is_empty)
                    && store.files.with_untracked(Vec::is_empty)
                    && handle.start_edit(None) =>
            {
                ev.prevent_default();
            }
            _ => {}
        }
    };
    let on_pick = move |_| {
        let Some(input) = picker.get_untracked() else { return };
        let input: web_sys::HtmlInputElement = input.unchecked_into();
        if let Some(list) = input.files() {
            let files: Vec<web_sys::File> =
                (0..list.length()).filter_map(|i| list.get(i)).collect();
            handle.add_files(files);
        }
        // The same file can be picked again after removing it.
        input.set_value("");
    };
    view! {
        <form class="convo-composer" class:convo-composer--ended=ended on:submit=Store::on(move |ev: web_sys::SubmitEvent| { ev.prevent_default(); submit(); })>
            {move || editing().then(|| view! {
                <div class="convo-composer__editing">
                    <span id="convo-composer-editing">{store.label(|s| s.editing)}</span>
                    <button type="button" class="convo-link-button" on:click=Store::on(move |_| handle.cancel_edit())>
                        {store.label(|s| s.cancel)}
                    </button>
                </div>
            })}
            <DraftFiles />
            <div class="convo-composer__row">
                <button
                    type="button"
                    class="convo-icon-button"
                    aria-label=store.label(|s| s.attach)
                    disabled=move || ended() || editing()
                    on:click=Store::on(move |_| {
                        if let Some(input) = picker.get_untracked() {
                            input.unchecked_into::<web_sys::HtmlElement>().click();
                        }
                    })
                >
                    <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
                        <path d="M21 11l-8.5 8.5a5 5 0 0 1-7-7L14 4a3.5 3.5 0 0 1 5 5l-8.5 8.5a2 2 0 0 1-3-3L15 7" />
                    </svg>
                </button>
                <input type="file" multiple class="convo-visually-hidden" tabindex="-1" aria-hidden="true" use:bind=picker on:change=Store::on(on_pick) />
                <label for="convo-composer-input" class="convo-visually-hidden">{store.label(|s| s.composer_placeholder)}</label>
                <textarea
                    id="convo-composer-input"
                    class="convo-composer__input"
                    rows="1"
                    placeholder=store.label(|s| s.composer_placeholder)
                    readonly=ended
                    aria-invalid=move || over().to_string()
                    aria-describedby=move || if editing() { "convo-composer-editing convo-composer-counter" } else { "convo-composer-counter" }
                    prop:value=move || text().get()
                    use:bind=input
                    on:input=Store::on(move |ev| {
                        if editing() {
                            store.edit_text.set(event_target_value(&ev));
                        } else {
                            store.draft.set(event_target_value(&ev));
                            handle.typing();
                        }
                    })
                    on:keydown=Store::on(on_keydown)
                ></textarea>
                <button
                    type="submit"
                    class="convo-send"
                    aria-label=move || if editing() { store.strings().save_edit } else { store.strings().send }
                    disabled=move || empty() || over() || ended()
                >
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
