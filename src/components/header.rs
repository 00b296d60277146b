//! The panel header: team name, the agents (the staff the backend named; names and avatars
//! from their participant attributes, never raw identities), their presence, "End chat",
//! the notifications bell, minimise and close.

use leptos::prelude::*;

use super::{shown, AlertsToggle, Avatar, Names};
use crate::{
    state::{ChatHandle, Event, Phase, Store},
    util::avatar::{image_url, initials},
};

/// The panel header.
#[component]
pub fn Header() -> impl IntoView {
    let store = Store::expect();
    let handle = ChatHandle::expect();
    let config = handle.config();
    let team = config.team_name;
    // In place (the agent desk) there is nothing to minimise or close.
    let closable = !config.inline;
    let alerts = handle.alerts_offered();
    // Only the staff the backend named: a visitor cannot list itself here, nor pick the
    // avatar the agent's browser loads.
    let agents = Memo::new(move |_| {
        let me = store.identity.get();
        let strings = store.strings();
        store.people.with(|people| {
            people
                .agents(me.as_deref())
                .map(|p| {
                    let identity = p.identity.as_deref().unwrap_or_default();
                    let name = people.display_name(me.as_deref(), identity, strings);
                    let avatar = image_url(&p.attributes).map(str::to_owned);
                    (name, avatar, p.online == Some(true))
                })
                .collect::<Vec<_>>()
        })
    });
    let online = move || agents.get().iter().any(|(_, _, online)| *online);
    let title = move || team.clone().unwrap_or_else(|| store.strings().team_default.to_owned());
    view! {
        <div class="convo-header">
            <div class="convo-header__avatars" aria-hidden="true">
                // One or two, seldom changing: redrawn together, without a keyed list's code
                // (issue 15).
                {move || agents.get().into_iter().map(|(name, image, _)| view! {
                    <Avatar initials=initials(&name) colour=None image class="convo-avatar" />
                }).collect_view()}
            </div>
            <div class="convo-header__text">
                <h2 id="convo-panel-title" class="convo-header__title">{title}</h2>
                <p class="convo-header__subtitle">
                    <span class="convo-presence" class:convo-presence--online=online aria-hidden="true"></span>
                    {move || {
                        let names: Vec<String> = agents.get().into_iter().map(|(n, _, _)| n).collect();
                        let status = if online() { store.strings().online } else { store.strings().offline };
                        let named = !names.is_empty();
                        view! { <Names names /> {named.then_some(" · ")} {status} }
                    }}
                </p>
            </div>
            {shown(move || closable && store.phase.get() == Phase::Chat, move || view! {
                <button
                    type="button"
                    class="convo-header__end"
                    aria-expanded=move || store.asking_end.get().to_string()
                    on:click=Store::on(move |_| {
                        store.apply(Event::AskEnd(!store.asking_end.get_untracked()));
                    })
                >
                    {store.label(|s| s.end_chat)}
                </button>
            })}
            // Only while chatting: the bell is about replies.
            {shown(move || alerts && store.phase.get() == Phase::Chat, || view! { <AlertsToggle /> })}
            // Fixed for the widget's life: no condition to watch.
            {closable.then(|| view! {
                <button type="button" class="convo-icon-button" aria-label=store.label(|s| s.minimise) on:click=Store::on(move |_| handle.close())>
                    <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M5 12h14" /></svg>
                </button>
                <button type="button" class="convo-icon-button convo-panel__close" aria-label=store.label(|s| s.close_chat) on:click=Store::on(move |_| handle.close())>
                    <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M6 6l12 12M18 6L6 18" /></svg>
                </button>
            })}
        </div>
    }
}
