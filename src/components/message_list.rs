//! The message list. Only a window of at most [`WINDOW`] rows is in the DOM, whatever the
//! history's length: the window grows or slides as the visitor scrolls, older pages load at
//! the top, and the browser's scroll anchoring keeps the view steady as rows come and go.
//! New messages scroll into view only when the visitor is already at the bottom; otherwise a
//! "jump to latest" button counts them. The read horizon advances only over messages actually
//! shown while the panel is open and the page visible.

use std::hash::{Hash, Hasher};

use convo_client::TimelineItem;
use leptos::{html, prelude::*};
use wasm_bindgen::JsCast;

use super::MessageRow;
use crate::{
    dom,
    state::{bridge::display_name, ChatHandle, Store},
    util::grouping::{layout, Layout, RowMeta},
};

/// The most rows in the DOM at once.
pub const WINDOW: usize = 120;
/// How many rows the window grows or slides by.
const STEP: usize = 40;
/// How close to an edge (px) counts as "at" it.
const EDGE: i32 = 150;

/// What one row shows.
#[derive(Debug, Clone, PartialEq)]
pub struct RowView {
    /// Stable across updates of the same message.
    pub id: String,
    pub item: TimelineItem,
    pub layout: Layout,
    pub day_label: Option<String>,
    pub author_name: String,
    pub own: bool,
    pub bot: bool,
    /// Someone else has read up to this (own) message and it is the newest such.
    pub seen: bool,
}

impl RowView {
    /// A key that changes whenever anything shown changes, so `<For>` re-renders the row.
    /// Computed for every row each time a message arrives, so it hashes fields rather than
    /// formatting the row: a delivered message changes only through an edit, which moves its
    /// `date_updated`.
    fn key(&self) -> String {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        match &self.item {
            TimelineItem::Remote(m) => {
                (m.index, &m.body, &m.date_updated, m.media.len()).hash(&mut hasher);
            }
            // Small, and changing as it uploads, sends or fails.
            TimelineItem::Pending(p) => format!("{p:?}").hash(&mut hasher),
        }
        (self.layout, &self.day_label, &self.author_name, self.own, self.bot, self.seen)
            .hash(&mut hasher);
        format!("{}#{:x}", self.id, hasher.finish())
    }
}

/// The message list with its window, divider, jump button and edge indicators.
#[component]
pub fn MessageList() -> impl IntoView {
    let store = Store::expect();
    let handle = ChatHandle::expect();
    let scroller = NodeRef::<html::Div>::new();
    // The window: `from_end` rows below it are not rendered; it holds `size` rows.
    let from_end = RwSignal::new(0usize);
    let size = RwSignal::new(STEP * 2);
    let at_bottom = RwSignal::new(true);
    let unseen = RwSignal::new(0u64);
    // The last scroll position, to tell the visitor scrolling up from rows arriving.
    let last_scroll_top = StoredValue::new(0i32);
    let len = Memo::new(move |_| store.timeline.with(Vec::len));
    // The newest delivered message's index: only messages past it are "new" (older pages
    // loading at the top are not).
    let newest = Memo::new(move |_| store.timeline.with(|all| newest_index(all)));
    // The list can outlive its element for a frame (the ended view replaces it), so every
    // deferred callback goes through this rather than `scroller.get()`.
    let element = move || scroller.try_get_untracked().flatten();

    let bounds = move || {
        let len = len.get();
        let end = len.saturating_sub(from_end.get().min(len));
        (end.saturating_sub(size.get()), end)
    };

    let rows = Memo::new(move |_| {
        let (start, end) = bounds();
        let me = store.identity.get();
        let locale = store.locale.get();
        let strings = locale.strings();
        let divider = store.divider_after.get();
        let _names = store.participants.get();
        store.timeline.with(|all| {
            // Layout looks at neighbours: one row either side of the window.
            let from = start.saturating_sub(1);
            let to = (end + 1).min(all.len());
            let metas: Vec<RowMeta> =
                all[from..to].iter().map(|item| meta(item, me.as_deref())).collect();
            let layouts = layout(&metas, divider, me.as_deref());
            let seen_index = newest_seen_own(store, all, me.as_deref());
            (start..end)
                .map(|i| {
                    let item = all[i].clone();
                    let l = layouts[i - from];
                    let (id, author, own, bot, date) = match &item {
                        TimelineItem::Remote(m) => {
                            let own = me.as_deref() == Some(m.author.as_str());
                            let bot = m.attributes["bot"] == true || m.author.contains("bot");
                            (
                                m.sid.clone(),
                                m.author.clone(),
                                own,
                                bot,
                                Some(m.date_created.clone()),
                            )
                        }
                        TimelineItem::Pending(p) => {
                            (format!("local-{}", p.local_id), String::new(), true, false, None)
                        }
                    };
                    let day_label = (l.day_break && date.is_some()).then(|| {
                        dom::day_label(
                            date.as_deref().unwrap_or_default(),
                            locale.tag(),
                            strings.today,
                            strings.yesterday,
                        )
                    });
                    let index = match &item {
                        TimelineItem::Remote(m) => Some(m.index),
                        TimelineItem::Pending(_) => None,
                    };
                    RowView {
                        id,
                        author_name: if own {
                            strings.you.to_owned()
                        } else {
                            display_name(store, &author)
                        },
                        seen: own && index.is_some() && index == seen_index,
                        item,
                        layout: l,
                        day_label,
                        own,
                        bot,
                    }
                })
                .collect::<Vec<_>>()
        })
    });

    let scroll_to_bottom = move || {
        request_animation_frame(move || {
            if let Some(el) = element() {
                el.set_scroll_top(el.scroll_height());
                last_scroll_top.set_value(el.scroll_top());
            }
        });
    };

    // New rows: follow them at the bottom, count others' new messages otherwise.
    Effect::new(move |previous: Option<(usize, Option<u64>)>| {
        let now = (len.get(), newest.get());
        let Some((previous_len, previous_newest)) = previous else { return now };
        if now.0 > previous_len {
            if at_bottom.get_untracked() {
                from_end.set(0);
                scroll_to_bottom();
            } else {
                let me = store.identity.get_untracked();
                let added = store.timeline.with_untracked(|all| {
                    all.iter()
                        .filter(|item| match item {
                            TimelineItem::Remote(m) => {
                                previous_newest.is_none_or(|n| m.index > n)
                                    && me.as_deref() != Some(m.author.as_str())
                            }
                            TimelineItem::Pending(_) => false,
                        })
                        .count()
                });
                unseen.update(|u| *u += added as u64);
            }
        }
        now
    });
    // Opening the panel shows the newest messages.
    Effect::new(move |_| {
        if store.open.get() {
            at_bottom.set(true);
            from_end.set(0);
            scroll_to_bottom();
        }
    });

    let mark_seen = move || {
        if !store.open.get_untracked() || dom::page_hidden() {
            return;
        }
        let Some(el) = element() else { return };
        let bottom = el.scroll_top() + el.client_height();
        let Ok(nodes) = el.query_selector_all("[data-index]") else { return };
        // Rows are in index order: the last one shown (half or more) is the newest seen. From
        // the end, that is usually the first row looked at.
        let visible = (0..nodes.length())
            .rev()
            .filter_map(|i| nodes.item(i).and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok()))
            .find(|n| n.offset_top() + n.offset_height() / 2 <= bottom)
            .and_then(|n| n.get_attribute("data-index").and_then(|v| v.parse::<u64>().ok()));
        if let Some(index) = visible {
            handle.seen_up_to(index);
        }
    };
    Effect::new(move |_| {
        let _ = rows.get();
        if store.visible.get() && store.open.get() {
            request_animation_frame(mark_seen);
        }
    });

    let on_scroll = move |_| {
        let Some(el) = element() else { return };
        let distance_to_bottom = el.scroll_height() - el.scroll_top() - el.client_height();
        let bottom = distance_to_bottom < 48 && from_end.get_untracked() == 0;
        let scrolled_up = el.scroll_top() < last_scroll_top.get_value();
        last_scroll_top.set_value(el.scroll_top());
        // Rows arriving push the bottom away without the visitor moving: only their own
        // scrolling up leaves the bottom, so a burst of messages keeps being followed.
        if bottom {
            at_bottom.set(true);
            unseen.set(0);
        } else if scrolled_up {
            at_bottom.set(false);
        }
        let (start, _) = bounds();
        if el.scroll_top() < EDGE {
            if start > 0 {
                if size.get_untracked() < WINDOW {
                    size.update(|s| *s = (*s + STEP).min(WINDOW));
                } else {
                    from_end.update(|f| *f += STEP.min(start));
                }
            } else {
                handle.load_older();
            }
        } else if distance_to_bottom < EDGE && from_end.get_untracked() > 0 {
            from_end.update(|f| *f = f.saturating_sub(STEP));
        }
        mark_seen();
    };

    let jump = move |_| {
        from_end.set(0);
        unseen.set(0);
        at_bottom.set(true);
        scroll_to_bottom();
    };

    view! {
        <div
            class="convo-messages"
            node_ref=scroller
            on:scroll=on_scroll
            role="log"
            aria-label=move || store.strings().messages_label
            tabindex="0"
        >
            <p class="convo-messages__edge" aria-live="polite">
                {move || {
                    let strings = store.strings();
                    if store.loading_older.get() {
                        strings.loading_older
                    } else if !store.has_older.get() && bounds().0 == 0 && len.get() > 0 {
                        strings.beginning
                    } else {
                        ""
                    }
                }}
            </p>
            <For each=move || rows.get() key=RowView::key let:row>
                <MessageRow row=row />
            </For>
        </div>
        <Show when=move || !at_bottom.get()>
            <button type="button" class="convo-jump" on:click=jump>
                {move || (store.strings().jump_to_latest)(unseen.get())}
            </button>
        </Show>
    }
}

fn meta(item: &TimelineItem, me: Option<&str>) -> RowMeta {
    match item {
        TimelineItem::Remote(m) => RowMeta {
            author: Some(m.author.clone()),
            day: dom::day_key(&m.date_created),
            index: Some(m.index),
        },
        TimelineItem::Pending(_) => {
            RowMeta { author: me.map(str::to_owned), day: String::new(), index: None }
        }
    }
}

/// The newest delivered message's index.
fn newest_index(all: &[TimelineItem]) -> Option<u64> {
    all.iter().rev().find_map(|item| match item {
        TimelineItem::Remote(m) => Some(m.index),
        TimelineItem::Pending(_) => None,
    })
}

/// The index of the newest own message someone else has read.
fn newest_seen_own(store: Store, all: &[TimelineItem], me: Option<&str>) -> Option<u64> {
    let horizon = store.participants.with(|ps| {
        ps.iter().filter(|p| p.identity.as_deref() != me).filter_map(|p| p.read_horizon).max()
    })?;
    all.iter().rev().find_map(|item| match item {
        TimelineItem::Remote(m) if Some(m.author.as_str()) == me && m.index <= horizon => {
            Some(m.index)
        }
        _ => None,
    })
}
