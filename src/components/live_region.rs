//! A visually hidden live region that announces new messages to screen readers.

use leptos::prelude::*;

use crate::state::Store;

/// The live region.
#[component]
pub fn LiveRegion() -> impl IntoView {
    let store = Store::expect();
    view! { <div class="convo-visually-hidden" role="status" aria-live="polite" aria-atomic="true">{move || store.announcement.get()}</div> }
}
