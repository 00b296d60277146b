//! The newest message from an agent (or the bot) beside the closed launcher, while chatting: who
//! wrote and what, opening the chat on a click. Dismissed, it stays away until the next one.

use leptos::prelude::*;

use super::LauncherBubble;
use crate::state::{ChatHandle, Event, Store};

/// The preview bubble, while the store has a message to preview.
#[component]
pub fn PreviewBubble() -> impl IntoView {
    let store = Store::expect();
    let handle = ChatHandle::expect();
    let name = Memo::new(move |_| {
        let (author, _) = store.preview.get()?;
        let me = store.identity.get();
        let strings = store.strings();
        Some(store.people.with(|p| p.display_name(me.as_deref(), &author, strings)))
    });
    let content = Signal::derive(move || {
        let text = store.preview.with(|p| p.as_ref().map(|(_, text)| text.clone()))?;
        Some((name.get(), text))
    });
    let label =
        Signal::derive(move || (store.strings().preview_from)(&name.get().unwrap_or_default()));
    view! {
        <LauncherBubble
            content
            label
            kind="convo-preview"
            start=handle.config().launcher_start
            on_open=Callback::new(move |()| handle.open())
            on_dismiss=Callback::new(move |()| {
                store.apply(Event::PreviewDismissed);
            })
        />
    }
}
