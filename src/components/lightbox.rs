//! An image shown full size. Its URL comes from the attachment's link, as the inline image's
//! does: opening it fetches a fresh one if needed, and a failed load retries once, then says
//! the image could not be loaded, with a retry button.

use leptos::prelude::*;

use crate::state::{ChatHandle, Store};

/// The lightbox, when an image is open.
#[component]
pub fn Lightbox() -> impl IntoView {
    let store = Store::expect();
    let handle = ChatHandle::expect();
    view! {
        {move || store.lightbox.get().map(|(sid, name)| {
            let link = store.media(&sid);
            let url = Memo::new(move |_| link.with(|l| l.url().map(str::to_owned)));
            let failed = Memo::new(move |_| link.with(|l| l.failed()));
            let sid = StoredValue::new(sid);
            let close = NodeRef::<leptos::html::Button>::new();
            let shown_name = name.clone();
            let image = move || {
                let strings = store.strings();
                if failed.get() {
                    let retry = move |ev: web_sys::MouseEvent| {
                        // A click that bubbled would close the lightbox; the retry button goes
                        // with this view, so the focus moves to the close button.
                        ev.stop_propagation();
                        if let Some(close) = close.get_untracked() {
                            let _ = close.focus();
                        }
                        sid.with_value(|s| handle.retry_media(s));
                    };
                    return Some(
                        view! {
                            <div class="convo-media-failed">
                                <span dir="auto">{(strings.media_failed)(&shown_name)}</span>
                                <button
                                    type="button"
                                    class="convo-link-button"
                                    aria-label=(strings.retry_media)(&shown_name)
                                    on:click=retry
                                >
                                    {strings.retry}
                                </button>
                            </div>
                        }
                        .into_any(),
                    );
                }
                let alt = (strings.image)(&shown_name);
                url.get().map(|u| {
                    let (failed_url, loaded_url) = (u.clone(), u.clone());
                    view! {
                        <img
                            src=u
                            alt=alt
                            on:error=move |_| sid.with_value(|s| handle.media_failed(s, &failed_url))
                            on:load=move |_| sid.with_value(|s| handle.media_loaded(s, &loaded_url))
                        />
                    }
                    .into_any()
                })
            };
            view! {
                <div
                    class="convo-lightbox"
                    role="dialog"
                    aria-modal="true"
                    aria-label=move || (store.strings().image)(&name)
                    on:click=move |_| handle.close_image()
                    on:keydown=move |ev: web_sys::KeyboardEvent| if ev.key() == "Escape" { handle.close_image() }
                >
                    {image}
                    <button node_ref=close type="button" class="convo-icon-button convo-lightbox__close" aria-label=move || store.strings().close_image autofocus=true>
                        <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M6 6l12 12M18 6L6 18" /></svg>
                    </button>
                </div>
            }
        })}
    }
}
