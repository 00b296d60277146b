//! The page's proactive greeting beside the closed launcher (`ConvoWidget.greet`): the team's
//! words, in a polite live region so screen readers hear them without losing their place.

use leptos::prelude::*;

use super::LauncherBubble;
use crate::state::{ChatHandle, Store};

/// The greeting bubble, while the store has one to show.
#[component]
pub fn GreetingBubble() -> impl IntoView {
    let store = Store::expect();
    let handle = ChatHandle::expect();
    let config = handle.config();
    // The page named its team: the bubble says who speaks, as the panel's header does.
    let named = config.team_name.clone();
    let team = config.team_name;
    let content =
        Signal::derive(move || store.greeting_bubble.get().map(|text| (named.clone(), text)));
    let label = Signal::derive(move || {
        let team = team.clone().unwrap_or_else(|| store.strings().team_default.to_owned());
        (store.strings().greeting_from)(&team)
    });
    view! {
        <LauncherBubble
            content
            label
            kind="convo-greeting"
            live=true
            start=config.launcher_start
            on_open=Callback::new(move |()| handle.open())
            on_dismiss=Callback::new(move |()| handle.dismiss_greeting())
        />
    }
}
