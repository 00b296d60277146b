//! A visually hidden live region that announces new messages and participant notices to
//! screen readers.

use leptos::prelude::*;

use crate::state::{Announcement, Store};

/// The live region.
#[component]
pub fn LiveRegion() -> impl IntoView {
    let store = Store::expect();
    let text = move || {
        let strings = store.strings();
        Some(match store.announcement.get()? {
            Announcement::Message { author, text } => {
                let me = store.identity.get();
                let who = store.people.with(|p| p.display_name(me.as_deref(), &author, strings));
                (strings.announce)(&who, &text)
            }
            Announcement::Notice(notice) => super::participant_notice::sentence(&notice, strings),
        })
    };
    view! { <div class="convo-visually-hidden" role="status" aria-live="polite" aria-atomic="true">{text}</div> }
}
