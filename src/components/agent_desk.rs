//! The demo's agent desk (`www/agent.html`): the widget's conversations on the left (each with
//! its marks), the chosen one in the middle — the widget itself ([`App`]), in place and signed
//! in as the demo agent — and who the visitor is on the right, with the way to resolve it.

use leptos::prelude::*;

use super::{shown, DeskItem, VisitorDetails};
use crate::{
    dom,
    i18n::Locale,
    state::{Inbox, Summary},
    App, WidgetConfig,
};

/// How the widget is configured to show `conversation` to the agent.
fn agent_view(conversation: &Summary, locale: Locale) -> WidgetConfig {
    let session_url = format!("/api/agent/session?conversation={}", conversation.sid);
    WidgetConfig {
        // A refresh is a new grant from the desk's route, which serves a resolved conversation
        // too: the visitor's `/api/token` refuses closed ones (409), but the agent still reads.
        token_url: session_url.clone(),
        session_url,
        team_name: Some(visitor_name(conversation, locale)),
        locale: Some(locale.tag().to_owned()),
        prechat: Vec::new(),
        inline: true,
        ..WidgetConfig::default()
    }
}

/// The name the visitor gave, or the desk's word for a visitor.
pub(super) fn visitor_name(conversation: &Summary, locale: Locale) -> String {
    conversation.visitor.clone().unwrap_or_else(|| locale.desk().visitor.to_owned())
}

/// The desk: the list of conversations, the one being answered, and its visitor.
#[component]
pub fn AgentDesk() -> impl IntoView {
    let locale = Locale::from_tag(&dom::browser_language().unwrap_or_default());
    let strings = locale.desk();
    let inbox = Inbox::start();
    let selected = RwSignal::new(None::<String>);
    // The chosen conversation as the list describes it now (its state, its details).
    let current = Memo::new(move |_| {
        let sid = selected.get()?;
        inbox.conversations.with(|list| list.iter().find(|c| c.sid == sid).cloned())
    });
    view! {
        <div class="convo-desk" lang=locale.tag() dir=if locale.is_rtl() { "rtl" } else { "ltr" }>
            <nav class="convo-desk__list" aria-labelledby="convo-desk-title">
                <h1 id="convo-desk-title" class="convo-desk__title">{strings.conversations}</h1>
                {move || inbox.error.get().map(|error| view! {
                    <p class="convo-desk__note" role="alert">{error.to_string()}</p>
                })}
                {shown(move || inbox.conversations.with(Vec::is_empty), move || view! {
                    <p class="convo-desk__note">{strings.none_yet}</p>
                })}
                <ul>
                    <For
                        each=move || inbox.conversations.get()
                        key=|c| (c.sid.clone(), c.state.clone())
                        let:conversation
                    >
                        <li>
                            <DeskItem
                                marks=inbox.marks(&conversation.sid)
                                conversation
                                selected
                                locale
                            />
                        </li>
                    </For>
                </ul>
            </nav>
            <div class="convo-desk__chat">
                {move || match selected.get() {
                    Some(sid) => {
                        let conversation = inbox
                            .conversations
                            .with_untracked(|list| list.iter().find(|c| c.sid == sid).cloned());
                        conversation
                            .map(|c| view! { <App config=agent_view(&c, locale) /> }.into_any())
                            .unwrap_or_else(|| ().into_any())
                    }
                    None => view! {
                        <p class="convo-desk__note">{strings.choose}</p>
                    }.into_any(),
                }}
            </div>
            {move || selected.get().map(|sid| view! {
                <VisitorDetails marks=inbox.marks(&sid) sid conversation=current inbox locale />
            })}
        </div>
    }
}
