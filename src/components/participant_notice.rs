//! "Ana joined the chat" / "Ana left the chat": a centred, muted line in the timeline (see
//! [`crate::state::Notice`]; session-only, as Twilio keeps no history of participant events).

use leptos::prelude::*;

use crate::{
    i18n::Catalogue,
    state::{Notice, NoticeKind, Store},
    util::bidi::{around, PLACEHOLDER},
};

/// The sentence as plain text, for the live region. Someone who had no name shows as the
/// role word, as their messages do (only staff are noticed).
pub(super) fn sentence(notice: &Notice, strings: &Catalogue) -> String {
    template(notice.kind, strings)(notice.name.as_deref().unwrap_or(strings.agent))
}

fn template(kind: NoticeKind, strings: &Catalogue) -> fn(&str) -> String {
    match kind {
        NoticeKind::Joined => strings.joined,
        NoticeKind::Left => strings.left,
    }
}

/// One notice.
#[component]
pub fn ParticipantNotice(
    /// What happened, to whom.
    notice: Notice,
) -> impl IntoView {
    let store = Store::expect();
    let Notice { kind, name, .. } = notice;
    let kind_name = match kind {
        NoticeKind::Joined => "joined",
        NoticeKind::Left => "left",
    };
    let text = move || {
        let strings = store.strings();
        let sentence = template(kind, strings)(PLACEHOLDER);
        let (before, after) = around(&sentence);
        let name = name.clone().unwrap_or_else(|| strings.agent.to_owned());
        // The name in its own isolate: an Arabic name in an English sentence (or the
        // reverse) cannot reorder the words around it.
        view! { {before.to_owned()}<bdi>{name}</bdi>{after.to_owned()} }
    };
    view! { <p class="convo-participant" data-kind=kind_name>{text}</p> }
}
