//! An image shown full size. Its URL comes from the attachment's link, as the inline image's
//! does: opening it fetches a fresh one if needed, and a failed load retries once, then says
//! the image could not be loaded, with a retry button.

use leptos::{either::Either, prelude::*};
use wasm_bindgen::JsCast;

use super::{media_view::image, Deferred};
use crate::state::{ChatHandle, MediaLink, Store};

/// The lightbox, when an image is open.
#[component]
pub fn Lightbox() -> impl IntoView {
    let store = Store::expect();
    move || store.lightbox.get().map(|_| view! { <Deferred load=lightbox_part /> })
}

crate::deferred_part!(lightbox_part, || {
    let store = Store::expect();
    let handle = ChatHandle::expect();
    // The image open when the part is built: opening another builds the part again.
    view! {
        {store.lightbox.get_untracked().map(|(sid, name)| {
            let link = store.media(&sid);
            let sid = StoredValue::new(sid);
            let shown_name = name.clone();
            let content = move || {
                let strings = store.strings();
                if link.with(MediaLink::failed) {
                    let retry = move |ev: web_sys::MouseEvent| {
                        // A click that bubbled would close the lightbox; the retry button goes
                        // with this view, so the focus moves to the close button.
                        ev.stop_propagation();
                        let close = ev
                            .target()
                            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                            .and_then(|t| t.closest(".convo-lightbox").ok().flatten())
                            .and_then(|b| b.query_selector(".convo-lightbox__close").ok().flatten());
                        if let Some(close) = close.and_then(|c| c.dyn_into::<web_sys::HtmlElement>().ok()) {
                            let _ = close.focus();
                        }
                        sid.with_value(|s| handle.retry_media(s));
                    };
                    return Some(Either::Left(view! {
                        <div class="convo-media-failed">
                            <span dir="auto">{(strings.media_failed)(&shown_name)}</span>
                            <button
                                type="button"
                                class="convo-link-button"
                                aria-label=(strings.retry_media)(&shown_name)
                                on:click=Store::on(retry)
                            >
                                {strings.retry}
                            </button>
                        </div>
                    }));
                }
                let alt = (strings.image)(&shown_name);
                let url = link.with(|l| l.url().map(str::to_owned))?;
                Some(Either::Right(sid.with_value(|sid| image(sid, url, alt, false))))
            };
            view! {
                <div
                    class="convo-lightbox"
                    role="dialog"
                    aria-modal="true"
                    aria-label=move || (store.strings().image)(&name)
                    on:click=Store::on(move |_| handle.close_image())
                    on:keydown=Store::on(move |ev: web_sys::KeyboardEvent| if ev.key() == "Escape" { handle.close_image() })
                >
                    {content}
                    <button type="button" class="convo-icon-button convo-lightbox__close" aria-label=store.label(|s| s.close_image) autofocus=true>
                        <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M6 6l12 12M18 6L6 18" /></svg>
                    </button>
                </div>
            }
        })}
    }
});
