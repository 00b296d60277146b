//! One row of the message list: the day divider, participant notices and "new messages"
//! marker above a message, the author and (for others' runs) their avatar, the bubble (text with safe links, media, "edited", or "message deleted"), the
//! time, and the state of the visitor's own messages (sending, queued, uploading with cancel,
//! failed with retry; then sent or read, and their "More actions" menu). A change to its
//! entry touches only this row, updating its nodes in place; every label follows the locale.

use std::sync::Arc;

use convo_client::{ConnectionState, SendStatus, TimelineItem};
use leptos::prelude::*;

use super::{
    message_list::{seen, SeenObserver},
    Avatar, MediaView, ParticipantNotice, RowMenuButton,
};
use crate::{
    dom,
    state::{ChatHandle, Entry, Phase, Receipt, Role, Store},
    util::{
        avatar,
        linkify::{linkify, Segment},
    },
};

/// A message row.
#[component]
pub fn MessageRow(
    /// The timeline entry it shows.
    entry: RwSignal<Arc<Entry>>,
) -> impl IntoView {
    let store = Store::expect();
    let handle = ChatHandle::expect();
    let key = entry.with_untracked(|e| e.key);
    let author = move || {
        entry.with(|e| match &e.item {
            TimelineItem::Remote(m) => Some(m.author.clone()),
            TimelineItem::Pending(_) => None,
        })
    };
    let role = move || author().map_or(Role::Visitor, |a| store.people.with(|p| p.role(&a)));
    let class = move || {
        let (own, first) = entry.with(|e| (e.own, e.first));
        let kind = if own {
            "convo-row--own"
        } else if role() == Role::Bot {
            "convo-row--bot"
        } else {
            "convo-row--other"
        };
        format!("convo-row {kind}{}", if first { " convo-row--first" } else { "" })
    };

    // Rows must stay cheap (a hundred mount in a frame while the visitor flings back through a
    // long history), so the row has few reactive parts: what goes above the bubble, the
    // bubble, its foot, its menu, and what goes below it. Each reads the entry
    // and the locale itself, with no memo or label closure of its own; when the entry changes
    // (a receipt, an edit, a neighbour's arrival) the parts run again and update their nodes
    // in place. Parts a row does not have add no nodes.
    //
    // Above: the day divider, participant notices, the "new messages" marker, and for the
    // first message of someone else's run the author's name and avatar (the team's icon for
    // the bot; for others their picture, or their initials).
    let above = move || {
        let (day_break, day, notices, marker, head, date) = entry.with(|e| {
            let date = match &e.item {
                TimelineItem::Remote(m) if e.day_break => Some(m.date_created.clone()),
                _ => None,
            };
            (e.day_break, e.day, e.notices.clone(), e.marker, e.first && !e.own, date)
        });
        let mut parts = Vec::new();
        if day_break {
            let locale = store.locale.get();
            let strings = locale.strings();
            let label = match date {
                Some(date) => {
                    dom::day_label(day, &date, locale.tag(), strings.today, strings.yesterday)
                }
                None => strings.today.to_owned(),
            };
            parts.push(
                view! { <div class="convo-day" role="separator"><span>{label}</span></div> }
                    .into_any(),
            );
        }
        parts.extend(
            notices.into_iter().map(|notice| view! { <ParticipantNotice notice /> }.into_any()),
        );
        if marker {
            let label = store.strings().new_messages;
            parts.push(
                view! { <div class="convo-divider" role="separator"><span>{label}</span></div> }
                    .into_any(),
            );
        }
        if head {
            parts.push(run_head(store, handle, author().unwrap_or_default()).into_any());
        }
        parts
    };
    // The bubble: the text (with safe links) and media. A deleted message's text and media go;
    // the placeholder says so. Confirming a pending message changes neither, so its nodes stay.
    let bubble = move || {
        let content = entry.with(|e| match &e.item {
            _ if e.deleted => None,
            TimelineItem::Remote(m) => Some((m.body.clone(), m.media.clone())),
            TimelineItem::Pending(p) => Some((p.body.clone(), Vec::new())),
        });
        let Some((body, media)) = content else {
            let label = store.strings().message_deleted;
            return vec![view! {
                <p class="convo-bubble__text convo-bubble__text--deleted">{label}</p>
            }
            .into_any()];
        };
        let mut parts = Vec::new();
        if let Some(body) = body {
            let mut segments = linkify(&body);
            // Most messages have no links: their text goes in the paragraph as it is, without
            // an element of its own.
            let text = match segments.as_mut_slice() {
                [Segment::Text(t)] => std::mem::take(t).into_any(),
                _ => segments
                    .into_iter()
                    .map(|segment| match segment {
                        Segment::Text(t) => view! { <span>{t}</span> }.into_any(),
                        Segment::Link { label, href } => view! {
                            <a href=href target="_blank" rel="noopener noreferrer nofollow">{label}</a>
                        }
                        .into_any(),
                    })
                    .collect::<Vec<_>>()
                    .into_any(),
            };
            parts.push(view! { <p class="convo-bubble__text" dir="auto">{text}</p> }.into_any());
        }
        if !media.is_empty() {
            parts.push(
                view! {
                    <div class="convo-bubble__media">
                        {media.into_iter().map(|m| view! { <MediaView media=m /> }).collect::<Vec<_>>()}
                    </div>
                }
                .into_any(),
            );
        }
        parts
    };
    let foot = move || {
        let (receipt, edited) = entry.with(|e| (e.receipt(), e.edited && !e.deleted));
        (edited || receipt.is_some()).then(|| {
            let strings = store.strings();
            // Not by colour: one tick or two (drawn by the stylesheet), and the word for
            // screen readers.
            let receipt = receipt.map(|r| {
                let (status, label) = match r {
                    Receipt::Sent => ("sent", strings.sent),
                    Receipt::Read => ("read", strings.read),
                };
                view! {
                    <span class="convo-row__receipt" data-status=status title=label>
                        <span class="convo-visually-hidden">{label}</span>
                    </span>
                }
            });
            view! {
                <span class="convo-bubble__foot">
                    {edited.then(|| view! { <span class="convo-row__edited">{strings.edited}</span> })}
                    {receipt}
                </span>
            }
        })
    };
    let menu = move || {
        (entry.with(|e| e.actionable()) && store.phase.get() == Phase::Chat)
            .then(|| view! { <RowMenuButton key=key /> })
    };
    // Below: where a pending message stands, or the time under the last message of a run.
    let below = move || {
        entry.with(|e| match &e.item {
            TimelineItem::Pending(p) => Some(pending_status(store, handle, p).into_any()),
            TimelineItem::Remote(m) => e.last.then(|| {
                let time = dom::clock(&m.date_created, store.locale.get().tag());
                view! { <div class="convo-row__meta"><time>{time}</time></div> }.into_any()
            }),
        })
    };
    let index = move || entry.with(|e| e.item.index().map(|i| i.to_string()));
    // Seen rows are reported by the list's observer.
    let observer = use_context::<SeenObserver>();
    view! {
        <div class=class data-index=index use:seen=observer>
            {above}
            <div class="convo-bubble" id=format!("convo-bubble-{key}")>{bubble}{foot}{menu}</div>
            {below}
        </div>
    }
}

/// The author's name and avatar above the first message of someone else's run. Made again
/// only if the roster, the locale or the frame changes; the rows inside a run and the
/// visitor's own pay one check.
fn run_head(store: Store, handle: ChatHandle, who: String) -> impl IntoView {
    move || {
        let me = store.identity.get();
        let strings = store.strings();
        let (name, initials, colour, image, class) = store.people.with(|p| {
            let name = p.display_name(me.as_deref(), &who, strings);
            match p.role(&who) {
                // The team's icon (the launcher's, if the page gave one) or its initials.
                Role::Bot => {
                    let config = handle.config();
                    let team = config.team_name.as_deref().unwrap_or(strings.team_default);
                    let class = "convo-avatar convo-avatar--row convo-avatar--team";
                    (name, avatar::initials(team), None, config.launcher_icon, class)
                }
                _ => {
                    let image = p.attributes(&who).and_then(avatar::image_url).map(str::to_owned);
                    let (initials, colour) = (avatar::initials(&name), avatar::colour(&who));
                    (name, initials, Some(colour), image, "convo-avatar convo-avatar--row")
                }
            }
        });
        view! {
            <div class="convo-row__author" dir="auto">{name}</div>
            <Avatar initials colour image class />
        }
    }
}

/// Where a pending message stands, with its action (cancel an upload, retry a failure).
fn pending_status(
    store: Store,
    handle: ChatHandle,
    pending: &convo_client::PendingMessage,
) -> impl IntoView {
    let local_id = pending.local_id;
    let files: Vec<String> = pending.media.iter().map(|(name, _, _)| name.clone()).collect();
    let status = pending.status.clone();
    let percent = match &status {
        SendStatus::Uploading { sent, total } => {
            Some((sent * 100).checked_div(*total).unwrap_or(0).min(100) as u8)
        }
        _ => None,
    };
    let failed = matches!(status, SendStatus::Failed { .. });
    let label = move || {
        let connected = matches!(store.connection.get(), ConnectionState::Connected);
        crate::state::chat::status_label(&status, connected, store.strings())
    };
    let action = (percent.is_some() || failed).then(|| {
        let text = move || if failed { store.strings().retry } else { store.strings().cancel };
        view! {
            <button type="button" class="convo-link-button" on:click=Store::on(move |_| {
                if failed { handle.retry(local_id) } else { handle.cancel(local_id) }
            })>{text}</button>
        }
    });
    view! {
        <div class="convo-row__status" role="status">
            {(!files.is_empty()).then(|| view! { <span class="convo-row__files">{files.join(", ")}</span> })}
            <span>{label}</span>
            {percent.map(|p| view! { <progress class="convo-progress" max="100" value=p.to_string()></progress> })}
            {action}
        </div>
    }
}
