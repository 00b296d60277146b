//! Who the visitor of the open conversation is: name, email, their pre-chat question, the page
//! they started on, their answers to the host's custom pre-chat fields (a consent as Yes/No),
//! and what the host site attached — all of it as text, whatever it holds — with the way to
//! resolve the conversation.

use leptos::prelude::*;

use super::ResolveButton;
use crate::{
    i18n::Locale,
    state::{desk::as_text, Inbox, Marks, Summary},
};

/// The open conversation's visitor, and its resolve control.
#[component]
pub fn VisitorDetails(
    /// The open conversation.
    sid: String,
    /// It, as the desk's list describes it now.
    conversation: Memo<Option<Summary>>,
    marks: RwSignal<Marks>,
    inbox: Inbox,
    locale: Locale,
) -> impl IntoView {
    let strings = locale.desk();
    let resolved = Signal::derive(move || {
        conversation.with(|c| c.as_ref().is_some_and(Summary::closed)) || marks.get().resolved
    });
    let or_not_given =
        move |value: Option<String>| value.unwrap_or_else(|| strings.not_given.to_owned());
    view! {
        <div class="convo-desk__details">
            <h2 id="convo-desk-details-title" class="convo-desk__subtitle">{strings.details}</h2>
            <ResolveButton sid resolved inbox locale />
            {move || conversation.get().map(|c| {
                let Summary { visitor, email, question, page, host, fields, offline, .. } = c;
                let answers: Vec<(String, String)> = fields
                    .into_iter()
                    .map(|f| {
                        let value = match f.value {
                            serde_json::Value::Bool(true) => strings.yes.to_owned(),
                            serde_json::Value::Bool(false) => strings.no.to_owned(),
                            other => as_text(&other),
                        };
                        (f.label, value)
                    })
                    .collect();
                let host: Vec<(String, String)> =
                    host.iter().map(|(key, value)| (key.clone(), as_text(value))).collect();
                view! {
                    {offline.then(|| view! {
                        <p class="convo-desk__offline">
                            <strong>{strings.offline}</strong>" — "{strings.offline_note}
                        </p>
                    })}
                    <dl class="convo-desk__facts">
                        <dt>{strings.name}</dt>
                        <dd>{or_not_given(visitor)}</dd>
                        <dt>{strings.email}</dt>
                        <dd>{or_not_given(email)}</dd>
                        <dt>{strings.question}</dt>
                        <dd class="convo-desk__question">{or_not_given(question)}</dd>
                        <dt>{strings.page}</dt>
                        <dd>
                            {match page {
                                Some(page) => view! {
                                    <span class="convo-desk__page-title">{or_not_given(page.title)}</span>
                                    <span class="convo-desk__url" dir="ltr">{page.url.unwrap_or_default()}</span>
                                }.into_any(),
                                None => strings.not_given.into_any(),
                            }}
                        </dd>
                    </dl>
                    {(!answers.is_empty()).then(|| view! {
                        <h3 class="convo-desk__subtitle">{strings.answers}</h3>
                        <dl class="convo-desk__facts convo-desk__answers">
                            {answers.into_iter().map(|(label, value)| view! {
                                <dt>{label}</dt>
                                <dd>{value}</dd>
                            }).collect_view()}
                        </dl>
                    })}
                    {(!host.is_empty()).then(|| view! {
                        <h3 class="convo-desk__subtitle">{strings.host}</h3>
                        <dl class="convo-desk__facts">
                            {host.into_iter().map(|(key, value)| view! {
                                <dt>{key}</dt>
                                <dd>{value}</dd>
                            }).collect_view()}
                        </dl>
                    })}
                }
            })}
        </div>
    }
}
