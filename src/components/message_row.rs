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
    row_menu::bubble_id,
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
    // Seen rows are reported by the list's observer.
    let observer = use_context::<SeenObserver>();
    // Rows must stay cheap (a hundred mount in a frame while the visitor flings back through a
    // long history), so a row is one reactive part: the whole row, drawn from its entry and
    // the labels it shows. When the entry changes (a receipt, an edit, a neighbour's arrival)
    // or what it shows from elsewhere does (the locale; the roster, in others' rows: a bot's
    // look, a run's head; the phase, for its menu), it is drawn again, and its nodes are
    // updated in place: the elements stay, and with them the focus and an open menu.
    move || row(store, handle, observer, &entry.get())
}

/// A row's view of `e`. Parts a row does not have add no nodes.
fn row(
    store: Store,
    handle: ChatHandle,
    observer: Option<SeenObserver>,
    e: &Entry,
) -> impl IntoView {
    let key = e.key;
    let author = match &e.item {
        TimelineItem::Remote(m) => Some(m.author.as_str()),
        TimelineItem::Pending(_) => None,
    };
    let kind = if e.own {
        "convo-row--own"
    } else if author.is_some_and(|a| store.people.with(|p| p.role(a)) == Role::Bot) {
        "convo-row--bot"
    } else {
        "convo-row--other"
    };
    let class = format!("convo-row {kind}{}", if e.first { " convo-row--first" } else { "" });
    let observer = observer.filter(|o| o.wants(e.item.index()));
    let index = e.item.index().map(|i| i.to_string());
    let above = above(store, handle, e, author);
    let bubble = bubble(store, e);
    let foot = foot(store, e);
    let menu = (e.actionable() && store.phase.get() == Phase::Chat)
        .then(|| view! { <RowMenuButton key=key /> });
    // Only an own row's menu button points at its bubble.
    let bubble_id = e.own.then(|| bubble_id(key));
    // Below: where a pending message stands, or the time under the last message of a run.
    let below = match &e.item {
        TimelineItem::Pending(p) => Some(pending_status(store, handle, p).into_any()),
        TimelineItem::Remote(m) => e.last.then(|| {
            let time = dom::clock(&m.date_created, store.locale.get().tag());
            view! { <div class="convo-row__meta"><time>{time}</time></div> }.into_any()
        }),
    };
    view! {
        <div class=class data-index=index use:seen=observer>
            {above}
            <div class="convo-bubble" id=bubble_id>{bubble}{foot}{menu}</div>
            {below}
        </div>
    }
}

/// Above the bubble: the day divider, participant notices, the "new messages" marker, and for
/// the first message of someone else's run the author's name and avatar.
fn above(store: Store, handle: ChatHandle, e: &Entry, author: Option<&str>) -> Vec<AnyView> {
    let mut parts = Vec::new();
    if e.day_break {
        let locale = store.locale.get();
        let strings = locale.strings();
        let label = match &e.item {
            TimelineItem::Remote(m) => dom::day_label(
                e.day,
                &m.date_created,
                locale.tag(),
                strings.today,
                strings.yesterday,
            ),
            TimelineItem::Pending(_) => strings.today.to_owned(),
        };
        parts.push(
            view! { <div class="convo-day" role="separator"><span>{label}</span></div> }.into_any(),
        );
    }
    parts.extend(
        e.notices.iter().cloned().map(|notice| view! { <ParticipantNotice notice /> }.into_any()),
    );
    if e.marker {
        let label = store.strings().new_messages;
        parts.push(
            view! { <div class="convo-divider" role="separator"><span>{label}</span></div> }
                .into_any(),
        );
    }
    if e.first && !e.own {
        parts.push(run_head(store, handle, author.unwrap_or_default()).into_any());
    }
    parts
}

/// The bubble's content: the text (with safe links) and media. A deleted message's text and
/// media go; the placeholder says so.
fn bubble(store: Store, e: &Entry) -> Vec<AnyView> {
    let (body, media) = match &e.item {
        _ if e.deleted => {
            let label = store.strings().message_deleted;
            return vec![view! {
                <p class="convo-bubble__text convo-bubble__text--deleted">{label}</p>
            }
            .into_any()];
        }
        TimelineItem::Remote(m) => (m.body.as_deref(), m.media.as_slice()),
        TimelineItem::Pending(p) => (p.body.as_deref(), &[][..]),
    };
    let mut parts = Vec::new();
    if let Some(body) = body {
        parts.push(text(body).into_any());
    }
    if !media.is_empty() {
        parts.push(
            view! {
                <div class="convo-bubble__media">
                    {media.iter().cloned().map(|m| view! { <MediaView media=m /> }).collect::<Vec<_>>()}
                </div>
            }
            .into_any(),
        );
    }
    parts
}

/// A message's text with safe links, in a paragraph of its own.
fn text(body: &str) -> impl IntoView {
    let mut segments = linkify(body);
    // Most messages have no links: their text goes in the paragraph as it is, without an
    // element of its own.
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
    view! { <p class="convo-bubble__text" dir="auto">{text}</p> }
}

/// The bubble's foot: "edited", and an own message's receipt. Not by colour: one tick or two
/// (drawn by the stylesheet), and the word for screen readers.
fn foot(store: Store, e: &Entry) -> Option<impl IntoView> {
    let (receipt, edited) = (e.receipt(), e.edited && !e.deleted);
    (edited || receipt.is_some()).then(|| {
        let strings = store.strings();
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
}

/// The author's name and avatar above the first message of someone else's run (the team's
/// icon for the bot; for others their picture, or their initials). Only these rows read the
/// visitor's identity and the names in the roster.
fn run_head(store: Store, handle: ChatHandle, who: &str) -> impl IntoView {
    let me = store.identity.get();
    let strings = store.strings();
    let (name, initials, colour, image, class) = store.people.with(|p| {
        let name = p.display_name(me.as_deref(), who, strings);
        match p.role(who) {
            // The team's icon (the launcher's, if the page gave one) or its initials.
            Role::Bot => {
                let config = handle.config();
                let team = config.team_name.as_deref().unwrap_or(strings.team_default);
                let class = "convo-avatar convo-avatar--row convo-avatar--team";
                (name, avatar::initials(team), None, config.launcher_icon, class)
            }
            _ => {
                let image = p.attributes(who).and_then(avatar::image_url).map(str::to_owned);
                let (initials, colour) = (avatar::initials(&name), avatar::colour(who));
                (name, initials, Some(colour), image, "convo-avatar convo-avatar--row")
            }
        }
    });
    view! {
        <div class="convo-row__author" dir="auto">{name}</div>
        <Avatar initials colour image class />
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
