//! A round avatar (beside the first message of someone else's run, and in the header): their
//! picture, or their initials on a colour of their own (see [`crate::util::avatar`]). Hidden
//! from screen readers, which read the name beside it already.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// An avatar.
#[component]
pub fn Avatar(
    /// Shown when there is no picture, or it cannot be loaded.
    initials: String,
    /// The background of the initials: a `data-colour` (see [`crate::util::avatar::colour`]),
    /// or `None` for the place's own colours.
    colour: Option<u32>,
    /// Its classes: `convo-avatar`, and where it is (`convo-avatar--row`, `convo-avatar--team`).
    class: &'static str,
    /// A picture (already checked to be safe to load).
    image: Option<String>,
) -> impl IntoView {
    // The picture covers the initials; if it fails to load (gone, blocked by the page's
    // Content-Security-Policy, offline) it goes and the initials show. No signal: this is
    // static markup, once per run.
    let failed = |event: web_sys::ErrorEvent| {
        if let Some(image) = event.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
            image.remove();
        }
    };
    view! {
        <span
            class=class
            data-colour=colour.map(|c| c.to_string())
            aria-hidden="true"
        >
            {initials}
            {image.map(|src| view! {
                <img class="convo-avatar__image" src=src alt="" referrerpolicy="no-referrer" on:error=failed />
            })}
        </span>
    }
}
