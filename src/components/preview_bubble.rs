//! A preview of the newest message from someone else beside the closed launcher, as the
//! greeting shows (and styled as it is): who wrote it and its first lines, as a button that
//! opens the chat, and a × that dismisses it until another message comes. Not a live region:
//! the widget's live region already read the message out as it came.

use leptos::{html, prelude::*};
use wasm_bindgen::JsCast;

use crate::state::{ChatHandle, Event, Store};

/// The most characters of the message shown: the bubble shows a few lines, the panel the rest.
const PREVIEW_CHARS: usize = 140;

/// The preview bubble, while the store has a message to preview.
#[component]
pub fn PreviewBubble() -> impl IntoView {
    let store = Store::expect();
    let handle = ChatHandle::expect();
    // The greeting's placement (`launcher-position`), not its class: tests and pages find the
    // greeting by it.
    let class = if handle.config().launcher_start {
        "convo-preview-region convo-greeting--start"
    } else {
        "convo-preview-region"
    };
    let region = NodeRef::<html::Div>::new();
    // Dismissing removes what had focus: it goes to the launcher, not to the page's start.
    let dismiss = move || {
        let launcher = region
            .get_untracked()
            .and_then(|r| r.parent_element())
            .and_then(|root| root.query_selector(".convo-launcher").ok().flatten())
            .and_then(|l| l.dyn_into::<web_sys::HtmlElement>().ok());
        let had_focus =
            region.get_untracked().is_some_and(|r| r.matches(":focus-within").unwrap_or(false));
        store.apply(Event::PreviewDismissed);
        if let Some(launcher) = launcher.filter(|_| had_focus) {
            let _ = launcher.focus();
        }
    };
    let on_keydown = move |ev: web_sys::KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            dismiss();
        }
    };
    let preview = move || store.preview.get().filter(|_| store.launcher_visible.get());
    view! {
        <div class=class node_ref=region on:keydown=on_keydown>
            {move || preview().map(|preview| {
                let author = StoredValue::new(preview.author);
                let who = move || {
                    let me = store.identity.get();
                    author.with_value(|a| {
                        store.people.with(|p| p.display_name(me.as_deref(), a, store.strings()))
                    })
                };
                let text = match preview.text.char_indices().nth(PREVIEW_CHARS) {
                    Some((end, _)) => format!("{}…", preview.text[..end].trim_end()),
                    None => preview.text,
                };
                view! {
                    // A landmark of its own (it is outside the panel): a note beside the page.
                    <div
                        class="convo-greeting__bubble convo-preview"
                        role="complementary"
                        aria-label=move || (store.strings().message_from)(&who())
                    >
                        <button type="button" class="convo-greeting__open" on:click=move |_| handle.open()>
                            <span class="convo-greeting__team"><bdi>{who}</bdi></span>
                            <span class="convo-greeting__text convo-preview__text">{text}</span>
                        </button>
                        <button
                            type="button"
                            class="convo-icon-button convo-greeting__close"
                            aria-label=move || store.strings().greeting_dismiss
                            on:click=move |_| dismiss()
                        >
                            <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M6 6l12 12M18 6L6 18" /></svg>
                        </button>
                    </div>
                }
            })}
        </div>
    }
}
