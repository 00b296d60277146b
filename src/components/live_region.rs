//! A visually hidden live region that announces new messages to screen readers.

use leptos::prelude::*;

use crate::state::Store;

/// The live region.
#[component]
pub fn LiveRegion() -> impl IntoView {
    let store = Store::expect();
    let text = move || {
        let (who, text) = store.announcement.get()?;
        let me = store.identity.get();
        let strings = store.strings();
        let who = store.people.with(|p| p.display_name(me.as_deref(), &who, strings));
        Some((strings.announce)(&who, &text))
    };
    view! { <div class="convo-visually-hidden" role="status" aria-live="polite" aria-atomic="true">{text}</div> }
}
