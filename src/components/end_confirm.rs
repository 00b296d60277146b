//! "End this chat?": the confirmation the header's "End chat" asks for. Focus lands on "Keep
//! chatting", the harmless choice; Escape keeps chatting too.

use leptos::{html, prelude::*};

use crate::state::{ChatHandle, Event, Store};

/// The confirmation, shown while the visitor is deciding.
#[component]
pub fn EndConfirm() -> impl IntoView {
    let store = Store::expect();
    let handle = ChatHandle::expect();
    let keep = NodeRef::<html::Button>::new();
    let cancel = move || {
        store.apply(Event::AskEnd(false));
    };
    // The header's button goes away under the confirmation's focus: keep focus in the panel.
    keep.on_load(move |button| {
        request_animation_frame(move || {
            let _ = button.focus();
        })
    });
    view! {
        <div
            class="convo-end-confirm"
            role="group"
            aria-labelledby="convo-end-confirm-text"
            on:keydown=move |ev: web_sys::KeyboardEvent| {
                if ev.key() == "Escape" {
                    // Only the confirmation closes, not the panel.
                    ev.stop_propagation();
                    ev.prevent_default();
                    cancel();
                }
            }
        >
            <p id="convo-end-confirm-text" class="convo-end-confirm__text">{move || store.strings().end_confirm}</p>
            <div class="convo-end-confirm__actions">
                <button type="button" class="convo-button convo-button--secondary" node_ref=keep on:click=move |_| cancel()>
                    {move || store.strings().keep_chatting}
                </button>
                <button
                    type="button"
                    class="convo-button convo-button--danger"
                    disabled=move || store.ending.get()
                    on:click=move |_| handle.end_chat()
                >
                    {move || store.strings().end_chat}
                </button>
            </div>
        </div>
    }
}
