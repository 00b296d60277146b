//! An attachment: images inline (opening a lightbox), other files as download chips. Both
//! use the temporary URL fetched when the attachment is shown.

use convo_client::Media;
use leptos::prelude::*;

use crate::{
    state::{ChatHandle, Store},
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
    let sid = media.sid.clone();
    let url = Signal::derive(move || {
        store.media_urls.with(|m| m.get(&sid).cloned().filter(|u| !u.is_empty()))
    });
    let name = media.filename.clone().unwrap_or_else(|| media.sid.clone());
    let size = human_size(media.size);
    if media.content_type.starts_with("image/") {
        let alt = (store.strings().image)(&name);
        let image_alt = alt.clone();
        let open_name = name;
        view! {
            <button
                type="button"
                class="convo-media-image"
                aria-label=alt
                on:click=move |_| {
                    if let Some(u) = url.get() {
                        handle.show_image(u, open_name.clone());
                    }
                }
            >
                {move || url.get().map(|u| view! { <img src=u alt=image_alt.clone() loading="lazy" /> })}
            </button>
        }
        .into_any()
    } else {
        // The accessible name is the visible text plus a hidden verb, so speech commands that
        // read what is on screen still find the link.
        let verb = (store.strings().download)("");
        let shown = name.clone();
        view! {
            <a
                class="convo-file-chip"
                href=move || url.get().unwrap_or_default()
                download=name
                target="_blank"
                rel="noopener noreferrer"
            >
                <span class="convo-visually-hidden">{verb}</span>
                <span class="convo-file-chip__name" dir="auto">{shown}</span>
                <span class="convo-file-chip__size">{size}</span>
            </a>
        }
        .into_any()
    }
}
