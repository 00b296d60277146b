//! The demo's agent desk (`www/agent.html`): the widget's conversations on the left, the chosen
//! one on the right — the widget itself ([`App`]), in place and signed in as the demo agent.

use leptos::prelude::*;

use crate::{
    dom,
    state::{Inbox, Summary},
    App, WidgetConfig,
};

/// The demo backend's agent routes (only with the embedded emulator).
const CONVERSATIONS_URL: &str = "/api/agent/conversations";

/// How the widget is configured to show `conversation` to the agent.
fn agent_view(conversation: &Summary) -> WidgetConfig {
    WidgetConfig {
        session_url: format!("/api/agent/session?conversation={}", conversation.sid),
        team_name: Some(visitor_name(conversation)),
        locale: Some("en".to_owned()),
        prechat: Vec::new(),
        inline: true,
        ..WidgetConfig::default()
    }
}

fn visitor_name(conversation: &Summary) -> String {
    conversation.visitor.clone().unwrap_or_else(|| "Visitor".to_owned())
}

/// The desk: the list of conversations and the one being answered.
#[component]
pub fn AgentDesk() -> impl IntoView {
    let inbox = Inbox::start(CONVERSATIONS_URL);
    let selected = RwSignal::new(None::<Summary>);
    let choose = move |conversation: Summary| {
        if selected.with_untracked(|s| s.as_ref().map(|s| &s.sid) != Some(&conversation.sid)) {
            selected.set(Some(conversation));
        }
    };
    view! {
        <div class="convo-desk">
            <nav class="convo-desk__list" aria-labelledby="convo-desk-title">
                <h1 id="convo-desk-title" class="convo-desk__title">"Conversations"</h1>
                {move || inbox.error.get().map(|error| view! {
                    <p class="convo-desk__note" role="alert">{error.to_string()}</p>
                })}
                <Show when=move || inbox.conversations.with(Vec::is_empty)>
                    <p class="convo-desk__note">
                        "None yet: open the shop in another tab and start a chat."
                    </p>
                </Show>
                <ul>
                    <For
                        each=move || inbox.conversations.get()
                        key=|c| (c.sid.clone(), c.state.clone())
                        let:conversation
                    >
                        <li>
                            <button
                                type="button"
                                class="convo-desk__item"
                                aria-current={
                                    let sid = conversation.sid.clone();
                                    move || {
                                        selected.with(|s| s.as_ref().map(|s| &s.sid) == Some(&sid))
                                            .then_some("true")
                                    }
                                }
                                on:click={
                                    let conversation = conversation.clone();
                                    move |_| choose(conversation.clone())
                                }
                            >
                                <span class="convo-desk__visitor">{visitor_name(&conversation)}</span>
                                <span class="convo-desk__meta">
                                    {dom::clock(&conversation.date_created, "en")}
                                    {(conversation.state == "closed").then_some(" · closed")}
                                </span>
                            </button>
                        </li>
                    </For>
                </ul>
            </nav>
            <div class="convo-desk__chat">
                {move || match selected.get() {
                    Some(conversation) => view! { <App config=agent_view(&conversation) /> }.into_any(),
                    None => view! {
                        <p class="convo-desk__note">"Choose a conversation to answer it."</p>
                    }.into_any(),
                }}
            </div>
        </div>
    }
}
