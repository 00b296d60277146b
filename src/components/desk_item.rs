//! One conversation in the agent desk's list: the visitor, when it started, and its marks —
//! unread messages, "typing…", resolved, a message left while support was closed (in words,
//! not colour alone).

use leptos::prelude::*;

use super::agent_desk::visitor_name;
use crate::{
    dom,
    i18n::Locale,
    state::{Marks, Summary},
};

/// A button that opens `conversation` in the desk.
#[component]
pub fn DeskItem(
    conversation: Summary,
    /// The conversation the desk shows.
    selected: RwSignal<Option<String>>,
    marks: RwSignal<Marks>,
    locale: Locale,
) -> impl IntoView {
    let strings = locale.desk();
    let sid = conversation.sid.clone();
    let closed = conversation.closed();
    let unread = move || marks.get().unread;
    let current = {
        let sid = sid.clone();
        move || selected.with(|s| s.as_ref() == Some(&sid))
    };
    view! {
        <button
            type="button"
            class="convo-desk__item"
            class:convo-desk__item--unread={move || unread() > 0}
            aria-current={
                let current = current.clone();
                move || current().then_some("true")
            }
            on:click=move |_| {
                if !current() {
                    selected.set(Some(sid.clone()));
                }
            }
        >
            <span class="convo-desk__line">
                <span class="convo-desk__visitor">{visitor_name(&conversation, locale)}</span>
                {move || (unread() > 0).then(|| view! {
                    <span class="convo-desk__unread">
                        <span aria-hidden="true">{unread()}</span>
                        <span class="convo-visually-hidden">{(locale.strings().unread)(unread())}</span>
                    </span>
                })}
            </span>
            <span class="convo-desk__meta">
                <span>{dom::clock(&conversation.date_created, locale.tag())}</span>
                {move || marks.get().typing.then(|| view! {
                    <span class="convo-desk__typing">{strings.typing}</span>
                })}
                {conversation.offline.then(|| view! {
                    <span class="convo-desk__badge convo-desk__badge--offline">{strings.offline}</span>
                })}
                {move || (closed || marks.get().resolved).then(|| view! {
                    <span class="convo-desk__badge">{strings.resolved}</span>
                })}
            </span>
        </button>
    }
}
