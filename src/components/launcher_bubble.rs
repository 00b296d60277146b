//! A bubble beside the closed launcher: who speaks and what they said, as one button that
//! opens the chat, and a × that dismisses it; Escape inside dismisses it too. Dismissing
//! removes what had the focus, so the focus goes to the launcher, not to the page's start. The
//! page's proactive greeting and the preview of an agent's newest message show as one.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::{bind, Slot};
use crate::state::Store;

/// A bubble at the launcher, while `content` has something to show.
#[component]
pub fn LauncherBubble(
    /// Who speaks (shown above, when named) and what they said.
    content: Signal<Option<(Option<String>, String)>>,
    /// The bubble's accessible name, e.g. "Message from Ana".
    label: Signal<String>,
    /// Opens the chat.
    on_open: Callback<()>,
    /// Dismisses the bubble.
    on_dismiss: Callback<()>,
    /// A polite live region: the greeting is announced by it. Messages are not (the widget's
    /// live region announces each already): their bubble is a complementary landmark instead,
    /// so that it is found in the page's outline rather than lost outside every region.
    #[prop(optional)]
    live: bool,
    /// At the launcher's side: `start` or `end`.
    #[prop(optional)]
    start: bool,
    /// The wrapper's class, naming the kind of bubble (`convo-greeting`, `convo-preview`).
    kind: &'static str,
) -> impl IntoView {
    let store = Store::expect();
    let class = format!("{kind}{}", if start { " convo-launcher-bubble--start" } else { "" });
    let region = Slot::new();
    let dismiss = move || {
        let launcher = region
            .get_untracked()
            .and_then(|r| r.parent_element())
            .and_then(|root| root.query_selector(".convo-launcher").ok().flatten())
            .and_then(|l| l.dyn_into::<web_sys::HtmlElement>().ok());
        let had_focus =
            region.get_untracked().is_some_and(|r| r.matches(":focus-within").unwrap_or(false));
        on_dismiss.run(());
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
    let shown = move || content.get().filter(|_| store.launcher_visible.get());
    view! {
        <div class=class aria-live=live.then_some("polite") use:bind=region on:keydown=Store::on(on_keydown)>
            {move || shown().map(|(who, text)| {
                view! {
                    <div class="convo-greeting__bubble" role=if live { "group" } else { "complementary" } aria-label=label>
                        <button type="button" class="convo-greeting__open" on:click=Store::on(move |_| on_open.run(()))>
                            {who.map(|who| view! { <span class="convo-greeting__team" dir="auto">{who}</span> })}
                            <span class="convo-greeting__text" dir="auto">{text}</span>
                        </button>
                        <button
                            type="button"
                            class="convo-icon-button convo-greeting__close"
                            aria-label=store.label(|s| s.greeting_dismiss)
                            on:click=Store::on(move |_| dismiss())
                        >
                            <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M6 6l12 12M18 6L6 18" /></svg>
                        </button>
                    </div>
                }
            })}
        </div>
    }
}
