//! One row of the message list: separators, author, bubble (text with safe links, media),
//! time, and the state of the visitor's own messages (sending, queued, uploading with cancel,
//! failed with retry, seen).

use convo_client::{ConnectionState, SendStatus, TimelineItem};
use leptos::prelude::*;

use super::{message_list::RowView, MediaView};
use crate::{
    dom,
    state::{ChatHandle, Store},
    util::linkify::{linkify, Segment},
};

/// A message row.
#[component]
pub fn MessageRow(
    /// What to show.
    row: RowView,
) -> impl IntoView {
    let store = Store::expect();
    let handle = ChatHandle::expect();
    let strings = store.locale.get_untracked().strings();
    let locale = store.locale.get_untracked().tag();
    let class = format!(
        "convo-row {} {}",
        if row.own {
            "convo-row--own"
        } else if row.bot {
            "convo-row--bot"
        } else {
            "convo-row--other"
        },
        if row.layout.first_of_group { "convo-row--first" } else { "" }
    );
    let (index, body, media, time, pending) = match &row.item {
        TimelineItem::Remote(m) => (
            Some(m.index),
            m.body.clone(),
            m.media.clone(),
            Some(dom::clock(&m.date_created, locale)),
            None,
        ),
        TimelineItem::Pending(p) => (None, p.body.clone(), Vec::new(), None, Some(p.clone())),
    };
    let text = body.map(|b| {
        linkify(&b)
            .into_iter()
            .map(|segment| match segment {
                Segment::Text(t) => view! { <span>{t}</span> }.into_any(),
                Segment::Link { label, href } => {
                    view! { <a href=href target="_blank" rel="noopener noreferrer nofollow">{label}</a> }.into_any()
                }
            })
            .collect::<Vec<_>>()
    });
    let status = pending.map(|p| {
        let local_id = p.local_id;
        let files: Vec<String> = p.media.iter().map(|(name, _, _)| name.clone()).collect();
        let (label, progress, action): (Signal<String>, _, _) = match p.status {
            // Queued behind another message while connected is, to the visitor, sending.
            SendStatus::Queued => (
                Signal::derive(move || {
                    if matches!(store.connection.get(), ConnectionState::Connected) {

                        strings.sending.to_owned()
                    } else {
                        strings.queued.to_owned()
                    }
                }),
                None,
                None,
            ),
            SendStatus::Sending => (Signal::stored(strings.sending.to_owned()), None, None),
            SendStatus::Uploading { sent, total } => {
                let percent = (sent * 100).checked_div(total).unwrap_or(0).min(100) as u8;
                (Signal::stored((strings.uploading)(percent)), Some(percent), Some((strings.cancel, false)))
            }
            SendStatus::Failed { error } => (
                Signal::stored(format!("{} — {error}", strings.failed)),
                None,
                Some((strings.retry, true)),
            ),
        };

        view! {
            <div class="convo-row__status" role="status">
                {(!files.is_empty()).then(|| view! { <span class="convo-row__files">{files.join(", ")}</span> })}
                <span>{label}</span>
                {progress.map(|p| view! { <progress class="convo-progress" max="100" value=p.to_string()></progress> })}
                {action.map(|(label, retry)| view! {
                    <button type="button" class="convo-link-button" on:click=move |_| {
                        if retry { handle.retry(local_id) } else { handle.cancel(local_id) }
                    }>{label}</button>
                })}
            </div>
        }
    });
    view! {
        <div class=class data-index=index.map(|i| i.to_string())>
            {row.day_label.map(|label| view! { <div class="convo-day" role="separator"><span>{label}</span></div> })}
            {row.layout.unread_break.then(|| view! {
                <div class="convo-divider" role="separator"><span>{strings.new_messages}</span></div>
            })}
            {(row.layout.first_of_group && !row.own).then(|| view! { <div class="convo-row__author" dir="auto">{row.author_name.clone()}</div> })}
            <div class="convo-bubble">
                {text.map(|t| view! { <p class="convo-bubble__text" dir="auto">{t}</p> })}

                {(!media.is_empty()).then(|| view! {
                    <div class="convo-bubble__media">
                        {media.into_iter().map(|m| view! { <MediaView media=m /> }).collect::<Vec<_>>()}
                    </div>
                })}
            </div>
            {status}
            {(row.layout.last_of_group && time.is_some()).then(|| view! {
                <div class="convo-row__meta"><time>{time.clone().unwrap_or_default()}</time></div>
            })}
            {row.seen.then(|| view! { <div class="convo-row__seen">{strings.seen}</div> })}
        </div>
    }
}
