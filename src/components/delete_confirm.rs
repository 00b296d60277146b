//! "Delete this message?": the confirmation a row menu's Delete asks for. Focus lands on
//! "Keep it", the harmless choice; Escape keeps it too, and the focus goes back to the row's
//! "More actions" button (deleting, it goes to the composer: the button goes with the row's
//! actions).

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::{Confirm, Deferred};
use crate::state::{ChatHandle, Store};

/// The confirmation, shown while the visitor is deciding.
#[component]
pub fn DeleteConfirm() -> impl IntoView {
    view! { <Deferred load=delete_confirm_part /> }
}

crate::deferred_part!(delete_confirm_part, || {
    let store = Store::expect();
    let handle = ChatHandle::expect();
    let key = store.asking_delete.get_untracked().map(|m| m.key);
    view! {
        <Confirm
            id="convo-delete-confirm-text"
            question=|s| s.delete_confirm
            keep=|s| s.keep_message
            act=|s| s.delete
            on_keep=Callback::new(move |question: web_sys::Element| {
                if let Some(key) = key {
                    focus(&question, &format!("#convo-row-more-{key}"));
                }
                handle.ask_delete(None);
            })
            on_act=Callback::new(move |question: web_sys::Element| {
                focus(&question, "#convo-composer-input");
                handle.delete_message();
            })
        />
    }
});

/// Focuses the panel's element with `selector` (ids are the panel's own, in its shadow root).
fn focus(inside: &web_sys::Element, selector: &str) {
    let panel = inside.closest("section").ok().flatten();
    let target = panel.and_then(|p| p.query_selector(selector).ok().flatten());
    if let Some(target) = target.and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = target.focus();
    }
}
