//! The page's proactive greeting beside the closed launcher (`ConvoWidget.greet`): the team's
//! words as a button that opens the chat, and a × that dismisses them. It lives in a polite live
//! region, so screen readers hear it without losing their place; Escape inside dismisses it.

use leptos::{html, prelude::*};
use wasm_bindgen::JsCast;

use crate::state::{ChatHandle, Store};

/// The greeting bubble, while the store has one to show.
#[component]
pub fn GreetingBubble() -> impl IntoView {
    let store = Store::expect();
    let handle = ChatHandle::expect();
    let config = handle.config();
    let class = if config.launcher_start {
        "convo-greeting convo-greeting--start"
    } else {
        "convo-greeting"
    };
    // The page named its team: the bubble says who speaks, as the panel's header does.
    let named = config.team_name.clone();
    let team = config.team_name;
    let team = move || team.clone().unwrap_or_else(|| store.strings().team_default.to_owned());
    let region = NodeRef::<html::Div>::new();
    // Dismissing removes what had focus: it goes to the launcher, not to the page's start.
    let dismiss = move || {
        let launcher = region
            .get_untracked()
            .and_then(|r| r.parent_element())
            .and_then(|root| root.query_selector(".convo-launcher").ok().flatten())
            .and_then(|l| l.dyn_into::<web_sys::HtmlElement>().ok());
        let had_focus =
            region.get_untracked().is_some_and(|r| r.matches(":focus-within").unwrap_or(false));
        handle.dismiss_greeting();
        if let Some(launcher) = launcher.filter(|_| had_focus) {
            let _ = launcher.focus();
        }
    };
    let on_keydown = move |ev: web_sys::KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            dismiss();
        }
    };
    let text = move || store.greeting_bubble.get().filter(|_| store.launcher_visible.get());
    view! {
        <div class=class aria-live="polite" node_ref=region on:keydown=on_keydown>
            {move || text().map(|text| {
                let (team, named) = (team.clone(), named.clone());
                view! {
                    <div class="convo-greeting__bubble" role="group" aria-label=move || (store.strings().greeting_from)(&team())>
                        <button type="button" class="convo-greeting__open" on:click=move |_| handle.open()>
                            {named.map(|team| view! { <span class="convo-greeting__team">{team}</span> })}
                            <span class="convo-greeting__text">{text}</span>
                        </button>
                        <button
                            type="button"
                            class="convo-icon-button convo-greeting__close"
                            aria-label=move || store.strings().greeting_dismiss
                            on:click=move |_| dismiss()
                        >
                            <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M6 6l12 12M18 6L6 18" /></svg>
                        </button>
                    </div>
                }
            })}
        </div>
    }
}
