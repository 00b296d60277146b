//! The page's greeting at the top of the open panel: the team's first words, above the pre-chat
//! form and in the chat the visitor started while greeted. Local only: it is never sent.

use leptos::prelude::*;

use crate::state::{ChatHandle, Store};

/// The greeting as the team's first message, while the store has one for the panel.
#[component]
pub fn PanelGreeting() -> impl IntoView {
    let store = Store::expect();
    let team = ChatHandle::expect().config().team_name;
    let team = move || team.clone().unwrap_or_else(|| store.strings().team_default.to_owned());
    move || {
        store.greeting_panel.get().map(|text| {
            let team = team.clone();
            view! {
                <div class="convo-greeting-note" role="group" aria-label=move || (store.strings().greeting_from)(&team())>
                    <p class="convo-greeting-note__text">{text}</p>
                </div>
            }
        })
    }
}
