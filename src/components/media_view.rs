//! An attachment: images inline (opening a lightbox), other files as download chips. Both use
//! a temporary URL that expires, so each use goes through the handle: showing one asks for a
//! URL unless a fresh one is at hand, an image that fails to load asks for a fresh one once
//! (then offers a retry), and a chip clicked with a stale URL opens the fresh one instead.

use convo_client::Media;
use leptos::{either::Either, prelude::*};

use crate::{
    state::{ChatHandle, MediaLink, Store},
    util::validate::human_size,
};

/// An attachment of a message.
#[component]
pub fn MediaView(
    /// The attachment.
    media: Media,
) -> impl IntoView {
    let store = Store::expect();
    let handle = ChatHandle::expect();
    handle.media_url(&media.sid);
    let link = store.media(&media.sid);
    let url = move || link.with(|l| l.url().map(str::to_owned));
    let failed = move || link.with(MediaLink::failed);
    let name = media.filename.clone().unwrap_or_else(|| media.sid.clone());
    let sid = StoredValue::new(media.sid);
    if media.content_type.starts_with("image/") {
        // One button whatever the state, so a retry never loses the keyboard focus: it opens the
        // image, or, once the image could not be loaded, says so and retries (its name is then
        // what it shows).
        let (open_name, click_name) = (name.clone(), name.clone());
        let label = move || (!failed()).then(|| (store.strings().image)(&name));
        let shown = move || {
            if failed() {
                let strings = store.strings();
                let text = (strings.media_failed)(&open_name);
                return Either::Left(view! {
                    <span dir="auto">{text}</span>
                    " "
                    <span class="convo-media-failed__retry">{strings.retry}</span>
                });
            }
            let alt = (store.strings().image)(&open_name);
            Either::Right(url().map(|url| sid.with_value(|sid| image(sid, url, alt, true))))
        };
        view! {
            <button
                type="button"
                class=move || if failed() { "convo-media-image convo-media-failed" } else { "convo-media-image" }
                aria-label=label
                on:click=Store::on(move |_| {
                    if link.with_untracked(MediaLink::failed) {
                        sid.with_value(|s| handle.retry_media(s));
                    } else {
                        handle.show_image(sid.get_value(), click_name.clone());
                    }
                })
            >
                {shown}
            </button>
        }
        .into_any()
    } else {
        // The accessible name is the visible text plus a hidden verb, so speech commands that
        // read what is on screen still find the link.
        let verb = (store.strings().download)("");
        let size = human_size(media.size);
        let shown = name.clone();
        view! {
            <a
                class="convo-file-chip"
                href=move || url().unwrap_or_default()
                download=name.clone()
                target="_blank"
                rel="noopener noreferrer"
                // A stale URL is refreshed when the visitor heads for the chip, so the click
                // usually finds a fresh one; a click that does not is held for the fresh one.
                on:pointerenter=Store::on(move |_| sid.with_value(|s| handle.media_url(s)))
                on:focus=Store::on(move |_| sid.with_value(|s| handle.media_url(s)))
                on:click=Store::on(move |ev: web_sys::MouseEvent| {
                    if !sid.with_value(|s| handle.open_file(s, &name)) {
                        ev.prevent_default();
                    }
                })
            >
                <span class="convo-visually-hidden">{verb}</span>
                <span class="convo-file-chip__name" dir="auto">{shown}</span>
                <span class="convo-file-chip__size">{size}</span>
            </a>
        }
        .into_any()
    }
}

/// The `<img>` of attachment `sid` at `url`, in its row (`lazy`: it loads when scrolled near) or
/// full size. Its load and its failure go to the handle: a failed load fetches a fresh URL once.
pub(super) fn image(sid: &str, url: String, alt: String, lazy: bool) -> impl IntoView {
    let handle = ChatHandle::expect();
    let (sid, failed_url, loaded_url) =
        (StoredValue::new(sid.to_owned()), url.clone(), url.clone());
    view! {
        <img
            src=url
            alt=alt
            loading=lazy.then_some("lazy")
            on:error=Store::on(move |_| sid.with_value(|s| handle.media_failed(s, &failed_url)))
            on:load=Store::on(move |_| sid.with_value(|s| handle.media_loaded(s, &loaded_url)))
        />
    }
}
