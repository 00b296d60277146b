//! "Delete this message?": the confirmation a row menu's Delete asks for. Focus lands on
//! "Keep it", the harmless choice; Escape keeps it too, and the focus goes back to the row's
//! "More actions" button (deleting, it goes to the composer: the button goes with the row's
//! actions).

use leptos::{html, prelude::*};
use wasm_bindgen::JsCast;

use crate::state::{ChatHandle, Store};

/// The confirmation, shown while the visitor is deciding.
#[component]
pub fn DeleteConfirm() -> impl IntoView {
    let store = Store::expect();
    let handle = ChatHandle::expect();
    let keep = NodeRef::<html::Button>::new();
    let group = NodeRef::<html::Div>::new();
    let key = store.asking_delete.get_untracked().map(|m| m.key);
    // The panel's element with `selector` (ids are the panel's own, in its shadow root).
    let focus = move |selector: String| {
        let Some(group) = group.get_untracked() else { return };
        let panel = group.closest("section").ok().flatten();
        let target = panel.and_then(|p| p.query_selector(&selector).ok().flatten());
        if let Some(target) = target.and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = target.focus();
        }
    };
    let cancel = move || {
        if let Some(key) = key {
            focus(format!("#convo-row-more-{key}"));
        }
        handle.ask_delete(None);
    };
    keep.on_load(move |button| {
        request_animation_frame(move || {
            let _ = button.focus();
        })
    });
    view! {
        <div
            class="convo-end-confirm"
            role="group"
            aria-labelledby="convo-delete-confirm-text"
            node_ref=group
            on:keydown=move |ev: web_sys::KeyboardEvent| {
                if ev.key() == "Escape" {
                    // Only the confirmation closes, not the panel.
                    ev.stop_propagation();
                    ev.prevent_default();
                    cancel();
                }
            }
        >
            <p id="convo-delete-confirm-text" class="convo-end-confirm__text">{move || store.strings().delete_confirm}</p>
            <div class="convo-end-confirm__actions">
                <button type="button" class="convo-button convo-button--secondary" node_ref=keep on:click=move |_| cancel()>
                    {move || store.strings().keep_message}
                </button>
                <button
                    type="button"
                    class="convo-button convo-button--danger"
                    on:click=move |_| {
                        focus("#convo-composer-input".to_owned());
                        handle.delete_message();
                    }
                >
                    {move || store.strings().delete}
                </button>
            </div>
        </div>
    }
}
