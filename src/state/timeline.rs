//! The timeline as the list shows it: the client's items, each with what its row needs (its
//! stable key, grouping, the day divider and "new messages" marker above it, whether it was
//! edited or deleted, and the receipt of an own message), kept up to date one diff at a time.
//! Pure: no signals, no DOM; tested natively.
//!
//! As in matrix-rust-sdk's timeline, day dividers and the read marker are virtual items the
//! timeline maintains itself. Here they are flags on the message below them (the list draws
//! them in that message's row), and each diff is O(1) work around one spot (O(log n) to find
//! the marker).
//!
//! One kind of row is the timeline's own: a message removed while the visitor is here stays as
//! a "message deleted" placeholder for the rest of the session, so the conversation does not
//! silently rewrite itself under the reader (what was answered stays answered). The client has
//! dropped it, so a client position counts the rows that are not placeholders; the few
//! placeholders are skipped when a diff's position is translated ([`Timeline::ours`]).
//!
//! Participant notices ("Ana joined the chat") are the timeline's own too, and session-only:
//! Twilio keeps no history of participant events, so they exist only for what this page saw
//! happen, and a reload forgets them. Each is anchored after the newest message there was when
//! it happened; like the day divider it is a flag on the row below it (drawn in that row), or
//! trails the list while nothing came after it ([`Timeline::trailing`]). Anchored by message
//! index, a notice stays between the same two messages whatever the window, a page of history
//! in front or a reconnect's reload.

use std::sync::Arc;

use convo_client::{SortedMap, TimelineItem, VectorDiff};

/// Keys of rows that began as pending messages: this bit and the local id. Message indices
/// never reach it.
const PENDING: u64 = 1 << 62;

/// One item of the timeline with what its rows need.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The row's key: the message index, or the local id of the pending message it was (the
    /// row stays the same row once its message is confirmed).
    pub key: u64,
    pub item: TimelineItem,
    /// The calendar day (days since 1970, local time) it belongs to; pending ones are today.
    pub day: i32,
    /// Sent by this user.
    pub own: bool,
    /// Starts a run of one author (the name shows above it).
    pub first: bool,
    /// Ends a run (the time shows below it).
    pub last: bool,
    /// A day divider goes above it.
    pub day_break: bool,
    /// The "new messages" marker goes above it.
    pub marker: bool,
    /// An own confirmed message someone else has read (their read horizon reached it).
    pub read: bool,
    /// Its text was changed after it was sent (see [`edited`]).
    pub edited: bool,
    /// Removed while shown: a placeholder row now, until the session ends.
    pub deleted: bool,
    /// The participant notices above it, oldest first (almost always none: no allocation).
    pub notices: Vec<Notice>,
}

/// What happened to a participant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    Joined,
    Left,
}

/// "Ana joined the chat" / "Ana left the chat".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// Its stable key (a counter of the session's notices).
    pub key: u64,
    pub kind: NoticeKind,
    /// The name they had then (they may be gone from the roster since); `None`: the role word.
    pub name: Option<String>,
    /// The newest confirmed message's index when it happened (`None`: there was none).
    after: Option<u64>,
}

/// Where one of this user's messages stands, as its row says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Receipt {
    /// The server has it. Chat has no delivery receipts (Twilio keeps those for SMS and
    /// WhatsApp), so "delivered" is never claimed.
    Sent,
    /// Someone else's read horizon has reached it.
    Read,
}

/// Whether a message was edited, from what the server says of it: its `dateUpdated` differs
/// from its `dateCreated` (Twilio sets both to the same timestamp at creation, written the same
/// way, and moves `dateUpdated` on each update; compared as text, which costs the shipped
/// widget no date parser). An attributes-only update moves it too; this widget never makes one,
/// and the backend neither. A missing date says nothing. A body change seen live counts as well
/// ([`Timeline::apply`]).
pub fn edited(message: &convo_client::Message) -> bool {
    let (created, updated) = (&message.date_created, &message.date_updated);
    !created.is_empty() && !updated.is_empty() && created != updated
}

/// A message's text.
pub fn body(item: &TimelineItem) -> Option<&str> {
    match item {
        TimelineItem::Remote(m) => m.body.as_deref(),
        TimelineItem::Pending(p) => p.body.as_deref(),
    }
}

impl Entry {
    /// The receipt its row shows: own confirmed messages only (pending ones show their
    /// sending status; a deleted one shows nothing).
    pub fn receipt(&self) -> Option<Receipt> {
        let confirmed = matches!(self.item, TimelineItem::Remote(_));
        (self.own && confirmed && !self.deleted).then_some(if self.read {
            Receipt::Read
        } else {
            Receipt::Sent
        })
    }

    /// Whether this user may edit or delete it: their own confirmed message, not deleted.
    /// (Text only for editing: see [`super::chat::Chat::editable`].)
    pub fn actionable(&self) -> bool {
        self.own && !self.deleted && matches!(self.item, TimelineItem::Remote(_))
    }

    fn author<'a>(&'a self, me: Option<&'a str>) -> Option<&'a str> {
        match &self.item {
            TimelineItem::Remote(m) => Some(m.author.as_str()),
            TimelineItem::Pending(_) => me,
        }
    }
}

/// Days since 1970 of an RFC 3339 timestamp, in the viewer's time zone: the browser answers
/// it there, a fixed zone in tests.
pub type Calendar = fn(&str) -> i32;

/// The timeline with its row decorations.
#[derive(Debug, Clone)]
pub struct Timeline {
    entries: Vec<Arc<Entry>>,
    calendar: Calendar,
    /// Today, for pending messages (set by the caller; they have no timestamp yet).
    today: i32,
    me: Option<String>,
    /// The marker goes above the first message from someone else after this index.
    marker_after: Option<u64>,
    /// Everyone else's newest read horizon: own messages up to it are read.
    read_by_others: Option<u64>,
    /// The key of the entry holding the marker, so moving it never scans the timeline.
    marker_key: Option<u64>,
    /// The message indices of the "deleted" placeholders, ascending (few: one per removal
    /// seen this session).
    deleted: Vec<u64>,
    /// The participant notices, by `after` then in the order they happened (few: staff
    /// joining and leaving this session).
    notices: Vec<Notice>,
}

impl Timeline {
    /// An empty timeline.
    pub fn new(calendar: Calendar, today: i32) -> Self {
        Timeline {
            entries: Vec::new(),
            calendar,
            today,
            me: None,
            marker_after: None,
            read_by_others: None,
            marker_key: None,
            deleted: Vec::new(),
            notices: Vec::new(),
        }
    }

    /// How it tells days (for a fresh timeline like this one).
    pub(crate) fn settings(&self) -> (Calendar, i32) {
        (self.calendar, self.today)
    }

    /// The entries, in order.
    pub fn entries(&self) -> &[Arc<Entry>] {
        &self.entries
    }

    /// How many messages (confirmed and pending) there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The newest confirmed message's index.
    pub fn newest_index(&self) -> Option<u64> {
        self.entries.iter().rev().find_map(|e| e.item.index())
    }

    /// Where the entry with `key` is: a binary search by its index for confirmed messages
    /// (pending ones are the last few).
    pub fn position(&self, key: u64) -> Option<usize> {
        let found = |p: usize| (self.entries.get(p)?.key == key).then_some(p);
        if key & PENDING == 0 {
            if let Some(p) = found(self.confirmed_partition(key)) {
                return Some(p);
            }
        }
        // Carried keys (confirmed in place) and pending ones: near the end.
        self.entries.iter().rposition(|e| e.key == key)
    }

    /// The number of confirmed messages before `index` (they come first, in index order).
    fn confirmed_partition(&self, index: u64) -> usize {
        self.entries.partition_point(|e| e.item.index().is_some_and(|i| i < index))
    }

    /// This user's identity (own messages are grouped and marked as such).
    pub fn set_me(&mut self, me: Option<String>) {
        if self.me != me {
            self.me = me;
            self.relayout_all();
        }
    }

    /// Where the "new messages" marker goes: above the first message from someone else after
    /// `horizon` (`None`: nowhere).
    pub fn set_marker_after(&mut self, horizon: Option<u64>) {
        if self.marker_after != horizon {
            self.marker_after = horizon;
            self.place_marker();
        }
    }

    /// The newest read horizon of everyone else: own messages up to it are read. Only the rows
    /// between the old and the new horizon change.
    pub fn set_read_by_others(&mut self, horizon: Option<u64>) {
        let before = self.read_by_others;
        if before == horizon {
            return;
        }
        self.read_by_others = horizon;
        // The rows whose index lies between the two horizons: (low, high].
        let after = |h: Option<u64>| h.map_or(0, |h| h.saturating_add(1));
        let (low, high) = (after(before.min(horizon)), after(before.max(horizon)));
        for position in self.confirmed_partition(low)..self.confirmed_partition(high) {
            self.mark_read(position);
        }
    }

    /// Adds a participant notice after the newest confirmed message (before pending ones: they
    /// are not sent yet). It starts a run, and ends the one before it.
    pub fn add_notice(&mut self, kind: NoticeKind, name: Option<String>) -> Notice {
        let after = self.newest_index();
        let key = self.notices.len() as u64;
        // In order of anchor, then of time (the newest index only grows, so this is the end).
        let at = self.notices.partition_point(|n| n.after <= after);
        let notice = Notice { key, kind, name, after };
        self.notices.insert(at, notice.clone());
        let below = after.map_or(0, |a| self.confirmed_partition(a.saturating_add(1)));
        if below < self.len() {
            self.relayout_around(below);
        }
        notice
    }

    /// The notices after the last row (nothing has come after them yet): the list shows them
    /// below its rows.
    pub fn trailing(&self) -> &[Notice] {
        match self.entries.last() {
            None => &self.notices,
            Some(last) => match last.item.index() {
                Some(index) => &self.notices[self.notices_from(Some(index))..],
                // Pending messages come after every notice (they were sent after it).
                None => &[],
            },
        }
    }

    /// Where the notices anchored at or after `after` begin.
    fn notices_from(&self, after: Option<u64>) -> usize {
        self.notices.partition_point(|n| n.after < after)
    }

    /// The notices that go above the entry at `position`: those anchored between the entry
    /// before it and it. The first row takes any older ones (their anchor is not loaded:
    /// the top is the nearest place); after a pending row, none.
    fn notices_above(&self, position: usize) -> &[Notice] {
        if self.notices.is_empty() {
            return &[];
        }
        let index = self.entries[position].item.index();
        let start = match position.checked_sub(1).map(|p| self.entries[p].item.index()) {
            None => 0,
            Some(Some(previous)) => self.notices_from(Some(previous)),
            Some(None) => return &[],
        };
        let end = match index {
            Some(index) => self.notices_from(Some(index)),
            None => self.notices.len(),
        };
        &self.notices[start..end.max(start)]
    }

    /// Whether the message with `index` is in the timeline as a "deleted" placeholder.
    pub fn is_deleted(&self, index: u64) -> bool {
        self.deleted.binary_search(&index).is_ok()
    }

    /// The entry with `key`, if it is in the timeline.
    pub fn by_key(&self, key: u64) -> Option<&Arc<Entry>> {
        self.position(key).map(|p| &self.entries[p])
    }

    /// The confirmed message with `index` (whatever its row's key), if it is in the timeline.
    pub fn by_index(&self, index: u64) -> Option<&Arc<Entry>> {
        let entry = self.entries.get(self.confirmed_partition(index))?;
        (entry.item.index() == Some(index)).then_some(entry)
    }

    /// Where the client's position `position` is here: placeholders at or before it are
    /// skipped (they are not in the client's list). O(placeholders · log n), nothing without.
    fn ours(&self, position: usize) -> usize {
        let mut ours = position;
        for &index in &self.deleted {
            if self.confirmed_partition(index) <= ours {
                ours += 1;
            } else {
                break;
            }
        }
        ours
    }

    /// Applies one change of the client's timeline.
    pub fn apply(&mut self, diff: VectorDiff<TimelineItem>) {
        let appended =
            matches!(&diff, VectorDiff::Insert { index, .. } if self.ours(*index) >= self.len());
        match diff {
            VectorDiff::Insert { index, value } => {
                let index = match value.index() {
                    // A confirmed message goes by its index: exact whatever the placeholders.
                    Some(i) if !self.deleted.is_empty() => self.confirmed_partition(i),
                    _ => self.ours(index).min(self.len()),
                };
                let entry = self.entry(value, None);
                self.entries.insert(index, Arc::new(entry));
                self.relayout_around(index);
            }
            VectorDiff::Set { index, value } => {
                let index = self.ours(index);
                let Some(old) = self.entries.get(index) else { return };
                // A pending message confirmed in place keeps its row.
                let same = old.item.index().is_some() && old.item.index() == value.index();
                let key = match (&old.item, &value) {
                    (TimelineItem::Pending(_), TimelineItem::Remote(_)) => Some(old.key),
                    _ if old.item.index() == value.index() => Some(old.key),
                    _ => None,
                };
                // Edited: its text changed before our eyes, or was already marked so (the
                // server's dates say it too, but a clock may not have moved by a whole ms).
                let edited = same && (old.edited || body(&old.item) != body(&value));
                let mut entry = self.entry(value, key);
                entry.edited |= edited;
                self.entries[index] = Arc::new(entry);
                self.relayout_around(index);
            }
            VectorDiff::Remove { index } => {
                let index = self.ours(index);
                let Some(old) = self.entries.get(index) else { return };
                match old.item.index() {
                    // A confirmed message removed: its row stays, as a placeholder. Its
                    // author and day are the same, so grouping does not change.
                    Some(i) => {
                        if let Err(at) = self.deleted.binary_search(&i) {
                            self.deleted.insert(at, i);
                        }
                        Arc::make_mut(&mut self.entries[index]).deleted = true;
                    }
                    // A pending one (cancelled, or confirmed elsewhere) just goes.
                    None => {
                        self.entries.remove(index);
                        if index > 0 {
                            self.relayout_around(index - 1);
                        }
                        if index < self.len() {
                            self.relayout_around(index);
                        }
                    }
                }
            }
            VectorDiff::PushFront { values } => {
                let count = values.len();
                // Older than everything the client has, so after only the placeholders older
                // still (none, unless the oldest loaded messages were the ones removed).
                let at = values
                    .first()
                    .and_then(TimelineItem::index)
                    .map_or(0, |i| self.confirmed_partition(i));
                let entries: Vec<Arc<Entry>> =
                    values.into_iter().map(|v| Arc::new(self.entry(v, None))).collect();
                self.entries.splice(at..at, entries);
                for position in at..=(at + count).min(self.len().saturating_sub(1)) {
                    self.relayout(position);
                }
            }
            VectorDiff::Reset { values } => {
                self.marker_key = None;
                // Rows already shown keep their keys (and so their DOM).
                // By index: mostly in order already, so collecting appends.
                let keys: SortedMap<u64, u64> = self
                    .entries
                    .iter()
                    .filter_map(|e| e.item.index().map(|i| (i, e.key)))
                    .collect();
                // Placeholders stay where the new list still reaches (older ones would sit
                // in front of pages yet to load).
                let oldest = values.iter().find_map(TimelineItem::index);
                let kept: Vec<Arc<Entry>> = self
                    .entries
                    .iter()
                    .filter(|e| e.deleted)
                    .filter(|e| oldest.is_some_and(|o| e.item.index().is_some_and(|i| i > o)))
                    .cloned()
                    .collect();
                self.entries = values
                    .into_iter()
                    .map(|v| {
                        let key = v.index().and_then(|i| keys.get(&i).copied());
                        Arc::new(self.entry(v, key))
                    })
                    .collect();
                self.deleted.clear();
                for entry in kept {
                    let Some(index) = entry.item.index() else { continue };
                    let at = self.confirmed_partition(index);
                    if self.entries.get(at).and_then(|e| e.item.index()) != Some(index) {
                        self.entries.insert(at, entry);
                        self.deleted.push(index);
                    }
                }
                self.relayout_all();
                return;
            }
        }
        if appended {
            self.marker_on_append();
        } else {
            self.place_marker();
        }
    }

    /// Brings the entry at `position`'s read flag in line with the horizon.
    fn mark_read(&mut self, position: usize) {
        let entry = &self.entries[position];
        let read = entry.own
            && entry.item.index().is_some_and(|i| self.read_by_others.is_some_and(|h| i <= h));
        if entry.read != read {
            Arc::make_mut(&mut self.entries[position]).read = read;
        }
    }

    /// A message was added at the end: it takes the marker if nothing before it has it and it
    /// is the first news from someone else (the common case costs no search).
    fn marker_on_append(&mut self) {
        let (Some(horizon), None) = (self.marker_after, self.marker_key) else { return };
        let position = self.len() - 1;
        let me = self.me.as_deref();
        let news = match &self.entries[position].item {
            TimelineItem::Remote(m) => m.index > horizon && me != Some(m.author.as_str()),
            TimelineItem::Pending(_) => false,
        };
        if news {
            self.marker_key = Some(self.entries[position].key);
            Arc::make_mut(&mut self.entries[position]).marker = true;
            self.relayout_around(position);
        }
    }

    fn entry(&self, item: TimelineItem, key: Option<u64>) -> Entry {
        let (key, day, own, read, edited) = match &item {
            TimelineItem::Remote(m) => {
                let own = self.me.as_deref() == Some(m.author.as_str());
                (
                    key.unwrap_or(m.index),
                    (self.calendar)(&m.date_created),
                    own,
                    own && self.read_by_others.is_some_and(|h| m.index <= h),
                    edited(m),
                )
            }
            TimelineItem::Pending(p) => {
                (key.unwrap_or(PENDING | p.local_id), self.today, true, false, false)
            }
        };
        Entry {
            key,
            item,
            day,
            own,
            first: true,
            last: true,
            day_break: true,
            marker: false,
            read,
            edited,
            deleted: false,
            notices: Vec::new(),
        }
    }

    fn relayout_all(&mut self) {
        let me = self.me.clone();
        for position in 0..self.len() {
            let own = match &self.entries[position].item {
                TimelineItem::Remote(m) => me.as_deref() == Some(m.author.as_str()),
                TimelineItem::Pending(_) => true,
            };
            if self.entries[position].own != own {
                Arc::make_mut(&mut self.entries[position]).own = own;
            }
            self.mark_read(position);
            self.relayout(position);
        }
        self.place_marker();
    }

    /// Recomputes the entry at `position` and its neighbours (whose grouping depends on it).
    fn relayout_around(&mut self, position: usize) {
        for p in position.saturating_sub(1)..(position + 2).min(self.len()) {
            self.relayout(p);
        }
    }

    /// Grouping and the day divider of one entry, from its neighbours. Only a real change
    /// makes a new `Arc` (the view updates rows whose `Arc` changed).
    fn relayout(&mut self, position: usize) {
        let me = self.me.as_deref();
        let entry = &self.entries[position];
        let previous = position.checked_sub(1).map(|p| &self.entries[p]);
        let next = self.entries.get(position + 1);
        let notices = self.notices_above(position);
        // A notice between two messages breaks their run, like the marker.
        let notice_below = next.is_some() && !self.notices_above(position + 1).is_empty();
        let same_day_as_previous = previous.is_some_and(|p| p.day == entry.day);
        let day_break = !same_day_as_previous;
        let first = !same_day_as_previous
            || entry.marker
            || !notices.is_empty()
            || previous.is_some_and(|p| p.author(me) != entry.author(me));
        let last = notice_below
            || next
                .is_none_or(|n| n.author(me) != entry.author(me) || n.day != entry.day || n.marker);
        let notices_changed = entry.notices.as_slice() != notices;
        if (entry.day_break, entry.first, entry.last) != (day_break, first, last) || notices_changed
        {
            let notices = notices_changed.then(|| notices.to_vec());
            let entry = Arc::make_mut(&mut self.entries[position]);
            (entry.day_break, entry.first, entry.last) = (day_break, first, last);
            if let Some(notices) = notices {
                entry.notices = notices;
            }
        }
    }

    /// Moves the marker above the first message from someone else after `marker_after`.
    fn place_marker(&mut self) {
        let target = self.marker_after.and_then(|horizon| {
            let start = self.confirmed_partition(horizon.saturating_add(1));
            let me = self.me.as_deref();
            (start..self.len()).find(|&p| match &self.entries[p].item {
                TimelineItem::Remote(m) => me != Some(m.author.as_str()),
                TimelineItem::Pending(_) => false,
            })
        });
        let current = self.marker_key.and_then(|key| self.position(key));
        self.marker_key = target.map(|p| self.entries[p].key);
        if current == target {
            return;
        }
        for (position, marker) in [(current, false), (target, true)] {
            if let Some(position) = position {
                Arc::make_mut(&mut self.entries[position]).marker = marker;
                // The marker starts a group, and ends the one before it.
                self.relayout_around(position);
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use convo_client::{Message, PendingMessage, SendStatus};
    use serde_json::json;

    use super::*;

    /// Days since 1970 in UTC.
    pub(crate) fn utc_days(iso: &str) -> i32 {
        convo_wire::time::parse_rfc3339(iso).map_or(0, |ms| (ms / 86_400_000) as i32)
    }

    pub(crate) fn message(index: u64, author: &str, day: u32) -> TimelineItem {
        TimelineItem::Remote(Arc::new(Message {
            sid: format!("IM{index}"),
            index,
            author: author.into(),
            body: Some(format!("m{index}")),
            attributes: json!({}),
            media: Vec::new(),
            date_created: format!("2026-12-{day:02}T10:00:{:02}Z", index % 60),
            date_updated: String::new(),
            last_updated_by: None,
        }))
    }

    pub(crate) fn pending(local_id: u64) -> TimelineItem {
        TimelineItem::Pending(Arc::new(PendingMessage {
            local_id,
            body: Some("mine".into()),
            attributes: json!({}),
            media: Vec::new(),
            status: SendStatus::Sending,
        }))
    }

    fn timeline() -> Timeline {
        let mut t = Timeline::new(utc_days, utc_days("2026-12-06T00:00:00Z"));
        t.set_me(Some("me".into()));
        t
    }

    /// The rows as short strings: `D` a day divider, `N` the marker, then each message as its
    /// key with `^` first of a group, `$` last, `*` read, `'` edited, `~` deleted.
    fn shape(t: &Timeline) -> String {
        let mut out = Vec::new();
        for e in t.entries() {
            if e.day_break {
                out.push("D".to_owned());
            }
            for n in &e.notices {
                out.push(notice(n));
            }
            if e.marker {
                out.push("N".to_owned());
            }
            let key = if e.key & PENDING != 0 {
                format!("p{}", e.key & !PENDING)
            } else {
                e.key.to_string()
            };
            out.push(format!(
                "{}{key}{}{}{}{}",
                if e.first { "^" } else { "" },
                if e.last { "$" } else { "" },
                if e.read { "*" } else { "" },
                if e.edited { "'" } else { "" },
                if e.deleted { "~" } else { "" },
            ));
        }
        for n in t.trailing() {
            out.push(notice(n));
        }
        out.join(" ")
    }

    /// A notice: `+name` joined, `-name` left.
    fn notice(n: &Notice) -> String {
        let sign = if n.kind == NoticeKind::Joined { "+" } else { "-" };
        format!("{sign}{}", n.name.as_deref().unwrap_or("?"))
    }

    #[test]
    fn test_a_notice_goes_after_the_newest_message_and_breaks_the_run() {
        let mut t = timeline();
        t.add_notice(NoticeKind::Joined, Some("bot".into()));
        assert_eq!(shape(&t), "+bot", "an empty timeline: it trails");
        t.apply(VectorDiff::Reset { values: vec![message(0, "me", 6), message(1, "me", 6)] });
        assert_eq!(shape(&t), "D +bot ^0 1$", "anchored before any message: above the first");
        t.add_notice(NoticeKind::Joined, Some("ana".into()));
        assert_eq!(shape(&t), "D +bot ^0 1$ +ana", "after the newest: below the rows");
        let untouched = Arc::clone(&t.entries()[0]);
        t.apply(VectorDiff::Insert { index: 2, value: message(2, "me", 6) });
        assert_eq!(shape(&t), "D +bot ^0 1$ +ana ^2$", "the visitor's run is broken by it");
        assert!(Arc::ptr_eq(&untouched, &t.entries()[0]), "rows away from it are untouched");
        t.apply(VectorDiff::Insert { index: 3, value: message(3, "ana", 6) });
        t.add_notice(NoticeKind::Left, Some("ana".into()));
        t.add_notice(NoticeKind::Joined, Some("ben".into()));
        t.apply(VectorDiff::Insert { index: 4, value: message(4, "ben", 6) });
        assert_eq!(shape(&t), "D +bot ^0 1$ +ana ^2$ ^3$ -ana +ben ^4$", "in the order they came");
        let keys: Vec<u64> = t.entries()[4].notices.iter().map(|n| n.key).collect();
        assert_eq!(keys, [2, 3], "stable keys");
    }

    #[test]
    fn test_a_notice_goes_before_pending_messages_and_stays_once_they_are_confirmed() {
        let mut t = timeline();
        t.apply(VectorDiff::Reset { values: vec![message(0, "me", 6)] });
        t.apply(VectorDiff::Insert { index: 1, value: pending(7) });
        assert_eq!(shape(&t), "D ^0 p7$");
        t.add_notice(NoticeKind::Joined, Some("ana".into()));
        assert_eq!(shape(&t), "D ^0$ +ana ^p7$", "the pending message is not sent yet");
        t.apply(VectorDiff::Insert { index: 2, value: pending(8) });
        assert_eq!(shape(&t), "D ^0$ +ana ^p7 p8$");
        t.apply(VectorDiff::Set { index: 1, value: message(1, "me", 6) });
        assert_eq!(shape(&t), "D ^0$ +ana ^p7 p8$", "confirmed: same row, notice above it");
        t.apply(VectorDiff::Remove { index: 2 });
        t.apply(VectorDiff::Remove { index: 1 });
        assert_eq!(shape(&t), "D ^0$ +ana ^p7$~", "a confirmed one stays, as a placeholder");
        let mut t = timeline();
        t.apply(VectorDiff::Reset { values: vec![message(0, "me", 6)] });
        t.apply(VectorDiff::Insert { index: 1, value: pending(7) });
        t.add_notice(NoticeKind::Joined, Some("ana".into()));
        t.apply(VectorDiff::Remove { index: 1 });
        assert_eq!(shape(&t), "D ^0$ +ana", "a cancelled one: the notice trails again");
    }

    #[test]
    fn test_notices_keep_their_place_through_pages_reloads_and_the_marker() {
        let mut t = timeline();
        t.apply(VectorDiff::Reset { values: (5..=6).map(|i| message(i, "ana", 6)).collect() });
        t.add_notice(NoticeKind::Left, Some("ana".into()));
        t.apply(VectorDiff::Insert { index: 2, value: message(7, "ben", 6) });
        t.apply(VectorDiff::Insert { index: 3, value: message(8, "ben", 6) });
        assert_eq!(shape(&t), "D ^5 6$ -ana ^7 8$");
        t.apply(VectorDiff::PushFront { values: (3..=4).map(|i| message(i, "ana", 6)).collect() });
        assert_eq!(shape(&t), "D ^3 4 5 6$ -ana ^7 8$", "an older page in front");
        // A reconnect's reload of the newest page only, then the rest again.
        t.apply(VectorDiff::Reset { values: (7..=8).map(|i| message(i, "ben", 6)).collect() });
        assert_eq!(shape(&t), "D -ana ^7 8$", "its anchor not loaded: at the top, nearest");
        t.apply(VectorDiff::PushFront { values: (5..=6).map(|i| message(i, "ana", 6)).collect() });
        assert_eq!(shape(&t), "D ^5 6$ -ana ^7 8$");
        t.set_marker_after(Some(6));
        assert_eq!(shape(&t), "D ^5 6$ -ana N ^7 8$", "the marker stays on the message");
        t.set_marker_after(Some(7));
        assert_eq!(shape(&t), "D ^5 6$ -ana ^7$ N ^8$");
    }

    #[test]
    fn test_groups_by_author_and_day_with_a_divider_per_day() {
        let mut t = timeline();
        t.apply(VectorDiff::Reset {
            values: vec![
                message(0, "a", 1),
                message(1, "a", 1),
                message(2, "b", 1),
                message(3, "b", 2),
            ],
        });
        assert_eq!(shape(&t), "D ^0 1$ ^2$ D ^3$");
        t.apply(VectorDiff::Insert { index: 4, value: message(4, "b", 2) });
        assert_eq!(shape(&t), "D ^0 1$ ^2$ D ^3 4$", "the previous row stops being last");
    }

    #[test]
    fn test_an_older_page_in_front_moves_the_day_divider_up() {
        let mut t = timeline();
        t.apply(VectorDiff::Reset { values: vec![message(5, "a", 3), message(6, "a", 3)] });
        let shown = Arc::clone(&t.entries()[1]);
        t.apply(VectorDiff::PushFront { values: vec![message(3, "b", 2), message(4, "a", 3)] });
        assert_eq!(shape(&t), "D ^3$ D ^4 5 6$");
        assert!(
            Arc::ptr_eq(&shown, &t.entries()[3]),
            "rows the page did not touch are the same rows"
        );
    }

    #[test]
    fn test_a_pending_message_keeps_its_row_when_confirmed() {
        let mut t = timeline();
        t.apply(VectorDiff::Reset { values: vec![message(0, "agent", 6)] });
        t.apply(VectorDiff::Insert { index: 1, value: pending(7) });
        assert_eq!(shape(&t), "D ^0$ ^p7$");
        t.apply(VectorDiff::Set { index: 1, value: message(1, "me", 6) });
        assert_eq!(shape(&t), "D ^0$ ^p7$", "same key, now confirmed");
        assert_eq!(t.entries()[1].item.index(), Some(1));
        // A later reload keeps that key too.
        t.apply(VectorDiff::Reset { values: vec![message(0, "agent", 6), message(1, "me", 6)] });
        assert_eq!(shape(&t), "D ^0$ ^p7$");
    }

    #[test]
    fn test_edits_and_removals_update_one_row_and_its_neighbours() {
        let mut t = timeline();
        t.apply(VectorDiff::Reset {
            values: vec![message(0, "a", 6), message(1, "b", 6), message(2, "a", 6)],
        });
        let first = Arc::clone(&t.entries()[0]);
        t.apply(VectorDiff::Set { index: 1, value: message(1, "b", 6) });
        assert!(Arc::ptr_eq(&first, &t.entries()[0]), "an edit leaves other rows alone");
        // The removed message stays as a placeholder (see the next tests): runs unchanged.
        t.apply(VectorDiff::Remove { index: 1 });
        assert_eq!(shape(&t), "D ^0$ ^1$~ ^2$", "runs unchanged");
        assert!(Arc::ptr_eq(&first, &t.entries()[0]), "a removal leaves other rows alone");
    }

    #[test]
    fn test_new_marker_goes_above_the_first_later_message_from_someone_else() {
        let mut t = timeline();
        t.apply(VectorDiff::Reset {
            values: vec![
                message(0, "me", 6),
                message(1, "agent", 6),
                message(2, "me", 6),
                message(3, "agent", 6),
            ],
        });
        t.set_marker_after(Some(1));
        assert_eq!(shape(&t), "D ^0$ ^1$ ^2$ N ^3$", "my own message 2 is not news");
        t.apply(VectorDiff::Insert { index: 4, value: message(4, "agent", 6) });
        assert_eq!(shape(&t), "D ^0$ ^1$ ^2$ N ^3 4$");
        t.set_marker_after(None);
        assert_eq!(shape(&t), "D ^0$ ^1$ ^2$ ^3 4$");
        // Everything read: the next message from someone else takes the marker as it comes.
        t.set_marker_after(Some(4));
        assert_eq!(shape(&t), "D ^0$ ^1$ ^2$ ^3 4$");
        t.apply(VectorDiff::Insert { index: 5, value: message(5, "me", 6) });
        t.apply(VectorDiff::Insert { index: 6, value: message(6, "agent", 6) });
        t.apply(VectorDiff::Insert { index: 7, value: message(7, "agent", 6) });
        assert_eq!(shape(&t), "D ^0$ ^1$ ^2$ ^3 4$ ^5$ N ^6 7$");
    }

    #[test]
    fn test_each_own_message_is_sent_until_someone_elses_horizon_reaches_it_then_read() {
        let mut t = timeline();
        t.apply(VectorDiff::Reset {
            values: vec![
                message(0, "me", 6),
                message(1, "me", 6),
                message(2, "agent", 6),
                message(3, "me", 6),
            ],
        });
        let receipts = |t: &Timeline| t.entries().iter().map(|e| e.receipt()).collect::<Vec<_>>();
        use Receipt::{Read, Sent};
        assert_eq!(receipts(&t), [Some(Sent), Some(Sent), None, Some(Sent)]);
        let untouched = Arc::clone(&t.entries()[3]);
        t.set_read_by_others(Some(2));
        assert_eq!(shape(&t), "D ^0* 1$* ^2$ ^3$");
        assert_eq!(receipts(&t), [Some(Read), Some(Read), None, Some(Sent)]);
        assert!(Arc::ptr_eq(&untouched, &t.entries()[3]), "a row past the horizon is untouched");
        let read = Arc::clone(&t.entries()[0]);
        t.set_read_by_others(Some(3));
        assert_eq!(shape(&t), "D ^0* 1$* ^2$ ^3$*");
        assert!(Arc::ptr_eq(&read, &t.entries()[0]), "rows already read are untouched");
        // A message arriving after the horizon is sent; a pending one has no receipt yet.
        t.apply(VectorDiff::Insert { index: 4, value: message(4, "me", 6) });
        t.apply(VectorDiff::Insert { index: 5, value: pending(9) });
        assert_eq!(receipts(&t)[4..], [Some(Sent), None]);
        t.apply(VectorDiff::Set { index: 5, value: message(5, "me", 6) });
        assert_eq!(t.entries()[5].receipt(), Some(Sent), "confirmed: sent");
        t.set_read_by_others(Some(5));
        assert_eq!(receipts(&t)[4..], [Some(Read), Some(Read)]);
    }

    #[test]
    fn test_edited_is_a_changed_date_updated_or_a_body_changed_live() {
        let mut t = timeline();
        let dated = |index: u64, body: &str, created: &str, updated: &str| {
            TimelineItem::Remote(Arc::new(Message {
                body: Some(body.into()),
                date_created: created.into(),
                date_updated: updated.into(),
                ..(*remote(&message(index, "agent", 6))).clone()
            }))
        };
        let at = "2026-12-06T10:00:00.000Z";
        let later = "2026-12-06T10:05:00.000Z";
        t.apply(VectorDiff::Reset {
            values: vec![dated(0, "a", at, at), dated(1, "b", at, later), dated(2, "c", at, "")],
        });
        assert_eq!(shape(&t), "D ^0 1' 2$", "no dateUpdated says nothing");
        // Live: the text changes (even within the same millisecond).
        t.apply(VectorDiff::Set { index: 0, value: dated(0, "a2", at, at) });
        assert!(t.entries()[0].edited);
        // An update that keeps the text (a later echo) keeps it edited, and the row's key.
        t.apply(VectorDiff::Set { index: 0, value: dated(0, "a2", at, at) });
        assert_eq!(shape(&t), "D ^0' 1' 2$");
        // A pending message confirmed is not an edit, though its body came from elsewhere.
        t.apply(VectorDiff::Insert { index: 3, value: pending(1) });
        t.apply(VectorDiff::Set { index: 3, value: dated(3, "other", later, later) });
        assert!(!t.entries()[3].edited);
    }

    fn remote(item: &TimelineItem) -> Arc<Message> {
        match item {
            TimelineItem::Remote(m) => Arc::clone(m),
            TimelineItem::Pending(_) => panic!("pending"),
        }
    }

    #[test]
    fn test_a_removed_message_stays_as_a_placeholder_and_later_changes_land_right() {
        let mut t = timeline();
        t.apply(VectorDiff::Reset {
            values: vec![message(0, "agent", 6), message(1, "me", 6), message(2, "agent", 6)],
        });
        let key = t.entries()[1].key;
        // The client's list is [0, 2] after this: its positions skip the placeholder.
        t.apply(VectorDiff::Remove { index: 1 });
        assert_eq!(shape(&t), "D ^0$ ^1$~ ^2$", "the row stays, its neighbours' runs too");
        assert_eq!(t.entries()[1].key, key, "the same row");
        assert_eq!(t.entries()[1].receipt(), None, "a deleted message shows no receipt");
        assert!(t.is_deleted(1) && !t.entries()[1].actionable());
        // Client position 1 is message 2.
        t.apply(VectorDiff::Set { index: 1, value: message(2, "agent", 6) });
        assert_eq!(t.entries()[2].item.index(), Some(2));
        // Appending, a pending message at the client's end, its confirmation, a removal.
        t.apply(VectorDiff::Insert { index: 2, value: message(3, "me", 6) });
        t.apply(VectorDiff::Insert { index: 3, value: pending(5) });
        assert_eq!(shape(&t), "D ^0$ ^1$~ ^2$ ^3 p5$");
        t.apply(VectorDiff::Set { index: 3, value: message(4, "me", 6) });
        t.apply(VectorDiff::Remove { index: 0 });
        assert_eq!(shape(&t), "D ^0$~ ^1$~ ^2$ ^3 p5$");
        // Client [2, 3, 4]: removing position 1 is message 3.
        t.apply(VectorDiff::Remove { index: 1 });
        assert_eq!(shape(&t), "D ^0$~ ^1$~ ^2$ ^3~ p5$");
        // A pending message removed (cancelled) goes for good.
        t.apply(VectorDiff::Insert { index: 2, value: pending(6) });
        assert_eq!(shape(&t), "D ^0$~ ^1$~ ^2$ ^3~ p5 p6$");
        t.apply(VectorDiff::Remove { index: 2 });
        assert_eq!(shape(&t), "D ^0$~ ^1$~ ^2$ ^3~ p5$");
    }

    #[test]
    fn test_placeholders_outlive_a_reload_and_older_pages_go_in_front_of_them() {
        let mut t = timeline();
        t.apply(VectorDiff::Reset { values: (5..=8).map(|i| message(i, "agent", 6)).collect() });
        t.apply(VectorDiff::Remove { index: 2 });
        t.apply(VectorDiff::Remove { index: 0 });
        assert_eq!(shape(&t), "D ^5~ 6 7~ 8$");
        // A reconnect's reload: the client no longer has 5 and 7. 7 is within what it shows;
        // 5 is older than all of it (a page yet to come would land behind it): dropped.
        t.apply(VectorDiff::Reset { values: vec![message(6, "agent", 6), message(8, "agent", 6)] });
        assert_eq!(shape(&t), "D ^6 7~ 8$");
        t.apply(VectorDiff::PushFront { values: vec![message(3, "me", 6), message(4, "me", 6)] });
        assert_eq!(shape(&t), "D ^3 4$ ^6 7~ 8$");
        // Client [3, 4, 6, 8]: position 3 is message 8.
        t.apply(VectorDiff::Set { index: 3, value: message(8, "agent", 6) });
        assert_eq!(t.entries()[4].item.index(), Some(8));
        t.apply(VectorDiff::Insert { index: 4, value: message(9, "agent", 6) });
        assert_eq!(shape(&t), "D ^3 4$ ^6 7~ 8 9$");
    }
}
