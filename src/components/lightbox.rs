//! An image shown full size.

use leptos::prelude::*;

use crate::state::{ChatHandle, Store};

/// The lightbox, when an image is open.
#[component]
pub fn Lightbox() -> impl IntoView {
    let store = Store::expect();
    let handle = ChatHandle::expect();
    view! {
        {move || store.lightbox.get().map(|(url, name)| view! {
            <div
                class="convo-lightbox"
                role="dialog"
                aria-modal="true"
                aria-label=(store.strings().image)(&name)
                on:click=move |_| handle.close_image()
                on:keydown=move |ev: web_sys::KeyboardEvent| if ev.key() == "Escape" { handle.close_image() }
            >
                <img src=url alt=(store.strings().image)(&name) />
                <button type="button" class="convo-icon-button convo-lightbox__close" aria-label=move || store.strings().close_image autofocus=true>
                    <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M6 6l12 12M18 6L6 18" /></svg>
                </button>
            </div>
        })}
    }
}
