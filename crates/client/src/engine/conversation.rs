//! One conversation's state in the engine, and how it is mirrored into its views.

use std::{collections::VecDeque, sync::Arc};

use convo_wire::json;
use futures_channel::oneshot;
use serde_json::Value;

use crate::sorted::{SortedMap, SortedSet};

use crate::{
    model::{
        ConversationInfo, ConversationState, Media, Message, Participant, PendingMessage,
        TimelineItem, UnsentMessage,
    },
    Error, Observable, ObservableVector,
};

/// What the UI watches for one conversation.
#[derive(Debug, Clone, Default)]
pub(crate) struct Views {
    pub(crate) info: Observable<Option<ConversationInfo>>,
    pub(crate) participants: Observable<Vec<Participant>>,
    pub(crate) typing: Observable<Vec<String>>,
    pub(crate) timeline: ObservableVector<TimelineItem>,
    pub(crate) has_older: Observable<bool>,
    /// This client's messages the server has not confirmed applying.
    pub(crate) unsent: Observable<Vec<UnsentMessage>>,
}

/// A loaded message and the Sync event id that last changed it.
#[derive(Debug, Clone)]
pub(crate) struct Loaded {
    pub(crate) index: u64,
    pub(crate) event_id: u64,
    pub(crate) message: Arc<Message>,
}

/// The loaded window of messages in index order. New messages go to the back and older pages
/// to the front, both O(1); a message's rank (its timeline position) is a binary search.
#[derive(Debug, Default)]
pub(crate) struct Messages(VecDeque<Loaded>);

/// The unread count as last reckoned: the others' messages after `horizon`, up to `upto`.
/// New messages after `upto` add to it; any other change to the loaded messages drops it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct UnreadCount {
    horizon: u64,
    upto: u64,
    count: u64,
}

impl Messages {
    /// The position `index` has (or would have) among the loaded messages.
    pub(crate) fn rank(&self, index: u64) -> usize {
        // Appends are the common case: no search for them.
        match self.0.back() {
            Some(newest) if newest.index < index => self.0.len(),
            None => 0,
            _ => self.0.partition_point(|m| m.index < index),
        }
    }

    pub(crate) fn get(&self, index: u64) -> Option<&Loaded> {
        self.0.get(self.rank(index)).filter(|m| m.index == index)
    }

    pub(crate) fn contains(&self, index: u64) -> bool {
        self.get(index).is_some()
    }

    /// Adds or replaces the message at its index; returns its rank and whether it was new.
    /// (Replacing never changes the author, so an unread count stays right.)
    fn put(&mut self, loaded: Loaded) -> (usize, bool) {
        let rank = self.rank(loaded.index);
        match self.0.get_mut(rank) {
            Some(slot) if slot.index == loaded.index => {
                *slot = loaded;
                (rank, false)
            }
            _ => {
                self.0.insert(rank, loaded);
                (rank, true)
            }
        }
    }

    fn remove(&mut self, index: u64) -> Option<usize> {
        let rank = self.rank(index);
        self.0.get(rank).filter(|m| m.index == index)?;
        self.0.remove(rank);
        Some(rank)
    }

    pub(crate) fn newest(&self) -> Option<u64> {
        self.0.back().map(|m| m.index)
    }

    pub(crate) fn oldest(&self) -> Option<u64> {
        self.0.front().map(|m| m.index)
    }

    /// The messages after `index`.
    pub(crate) fn after(&self, index: u64) -> impl Iterator<Item = &Loaded> {
        self.0.range(self.rank(index.saturating_add(1))..)
    }
}

/// A page of older messages asked for, and its result once it arrived (it waits for the pages
/// asked for before it).
#[derive(Debug)]
pub(crate) struct OlderRequest {
    /// The page holds messages before this index.
    pub(crate) before: u64,
    pub(crate) reply: oneshot::Sender<Result<bool, Error>>,
    pub(crate) result: Option<Result<(Vec<super::load::Item>, bool), Error>>,
}

#[derive(Debug)]
pub(crate) struct Conversation {
    pub(crate) sid: String,
    pub(crate) document: String,
    pub(crate) list: String,
    pub(crate) roster: String,
    pub(crate) list_items_url: Option<String>,
    pub(crate) info: ConversationInfo,
    /// Keyed by participant SID, with the event id that last changed each.
    pub(crate) participants: SortedMap<String, (u64, Participant)>,
    /// The loaded window of messages.
    pub(crate) messages: Messages,
    /// Indices of removed messages, so a late older page cannot bring one back.
    pub(crate) removed: SortedSet<u64>,
    pub(crate) has_older: bool,
    /// Pages of older messages asked for, oldest request last.
    pub(crate) older: VecDeque<OlderRequest>,
    /// Who is typing, until when (Unix ms).
    pub(crate) typing: SortedMap<String, u64>,
    pub(crate) views: Views,
    /// Kept so that a message arriving costs a look at the new ones, not at all of them.
    pub(crate) unread: Option<UnreadCount>,
}

impl Conversation {
    /// Adds or replaces a message unless the stored one is as new or newer.
    pub(crate) fn upsert_message(&mut self, event_id: u64, message: Message) -> bool {
        let index = message.index;
        if self.removed.contains(&index)
            || self.messages.get(index).is_some_and(|stored| stored.event_id >= event_id)
        {
            return false;
        }
        let message = Arc::new(message);
        let (rank, new) =
            self.messages.put(Loaded { index, event_id, message: Arc::clone(&message) });
        self.reshaped_at(rank, new);
        if new {
            self.views.timeline.insert(rank, TimelineItem::Remote(message));
        } else {
            self.views.timeline.set(rank, TimelineItem::Remote(message));
        }
        true
    }

    /// This user's message arrived and confirms the pending one `local_id`: it takes the
    /// pending one's place in the timeline (one `Set`, so a UI keeps the row it showed) when
    /// it lands there, as it does unless other messages overtook it.
    pub(crate) fn confirm_pending(&mut self, local_id: u64, event_id: u64, message: Message) {
        let index = message.index;
        let Some(position) = self.pending_position(local_id) else {
            self.upsert_message(event_id, message);
            return;
        };
        if self.removed.contains(&index) || self.messages.contains(index) {
            self.views.timeline.remove(position);
            self.upsert_message(event_id, message);
            return;
        }
        let message = Arc::new(message);
        let (rank, new) =
            self.messages.put(Loaded { index, event_id, message: Arc::clone(&message) });
        self.reshaped_at(rank, new);
        if rank == position {
            self.views.timeline.set(position, TimelineItem::Remote(message));
        } else {
            // Pending messages come after every confirmed one, so `position` > `rank`.
            self.views.timeline.remove(position);
            self.views.timeline.insert(rank, TimelineItem::Remote(message));
        }
    }

    /// Puts a page of messages older than every loaded one in front, as one change; the rest
    /// of `page` (overlaps, edits) goes through [`Self::upsert_message`].
    pub(crate) fn prepend_page(&mut self, page: Vec<(u64, Message)>) {
        self.unread = None;
        let oldest = self.messages.oldest();
        let (older, rest): (Vec<_>, Vec<_>) = page
            .into_iter()
            .filter(|(_, m)| !self.removed.contains(&m.index))
            .partition(|(_, m)| oldest.is_none_or(|o| m.index < o));
        // By index, the first of any repeated one kept. A sorted map, not a sort: pages come
        // oldest first, so this appends, and the client instantiates no sort at all.
        let mut by_index: SortedMap<u64, (u64, Message)> = SortedMap::new();
        for (event_id, message) in older {
            if !by_index.contains_key(&message.index) {
                by_index.insert(message.index, (event_id, message));
            }
        }
        let mut items = Vec::with_capacity(by_index.len());
        for (_, (event_id, message)) in by_index.into_iter().rev() {
            let message = Arc::new(message);
            self.messages.0.push_front(Loaded {
                index: message.index,
                event_id,
                message: Arc::clone(&message),
            });
            items.push(TimelineItem::Remote(message));
        }
        items.reverse();
        self.views.timeline.push_front(items);
        for (event_id, message) in rest {
            self.upsert_message(event_id, message);
        }
    }

    /// Replaces everything with a freshly loaded page (pending messages are shown again by
    /// the outbox afterwards).
    pub(crate) fn reset_messages(&mut self, page: Vec<(u64, Message)>) {
        self.unread = None;
        self.messages = Messages::default();
        for (event_id, message) in page {
            if !self.removed.contains(&message.index) {
                self.messages.put(Loaded {
                    index: message.index,
                    event_id,
                    message: Arc::new(message),
                });
            }
        }
        let items =
            self.messages.0.iter().map(|m| TimelineItem::Remote(Arc::clone(&m.message))).collect();
        self.views.timeline.reset(items);
    }

    pub(crate) fn remove_message(&mut self, index: u64) {
        self.unread = None;
        self.removed.insert(index);
        if let Some(rank) = self.messages.remove(index) {
            self.views.timeline.remove(rank);
        }
    }

    /// The timeline position of a pending message, if it is shown. Pending messages are the
    /// last few items, so this looks from the end.
    fn pending_position(&self, local_id: u64) -> Option<usize> {
        self.views.timeline.with(|items| {
            items.iter().rposition(
                |item| matches!(item, TimelineItem::Pending(p) if p.local_id == local_id),
            )
        })
    }

    pub(crate) fn show_pending(&self, pending: PendingMessage) {
        let position = self.pending_position(pending.local_id);
        let pending = TimelineItem::Pending(Arc::new(pending));
        match position {
            Some(position) => self.views.timeline.set(position, pending),
            None => self.views.timeline.insert(usize::MAX, pending),
        }
    }

    pub(crate) fn hide_pending(&self, local_id: u64) {
        if let Some(position) = self.pending_position(local_id) {
            self.views.timeline.remove(position);
        }
    }

    pub(crate) fn newest_index(&self) -> Option<u64> {
        self.messages.newest()
    }

    pub(crate) fn oldest_index(&self) -> Option<u64> {
        self.messages.oldest()
    }

    /// A message was put at `rank`: one that is new and not the newest drops the unread count.
    fn reshaped_at(&mut self, rank: usize, new: bool) {
        if new && rank + 1 != self.messages.0.len() {
            self.unread = None;
        }
    }

    /// Recomputes the unread count and publishes the info.
    pub(crate) fn publish_info(&mut self, me: &str) {
        self.info.unread_count = self.info.read_horizon.map(|horizon| {
            let others = |after: u64| {
                self.messages.after(after).filter(|m| m.message.author != me).count() as u64
            };
            let loaded = match self.unread {
                Some(kept) if kept.horizon == horizon => kept.count + others(kept.upto),
                _ => others(horizon),
            };
            self.unread = Some(UnreadCount {
                horizon,
                upto: self.messages.newest().unwrap_or(horizon).max(horizon),
                count: loaded,
            });
            // Messages beyond what is loaded (the document knows the newest index).
            let beyond = match (self.info.last_message_index, self.newest_index()) {
                (Some(last), Some(newest)) if last > newest => last - newest,
                (Some(last), None) if last > horizon => last - horizon,
                _ => 0,
            };
            loaded + beyond
        });
        self.views.info.set(Some(self.info.clone()));
    }

    pub(crate) fn publish_participants(&self) {
        self.views.participants.set(self.participants.values().map(|(_, p)| p.clone()).collect());
    }

    pub(crate) fn publish_typing(&self) {
        // Sorted: the map's order.
        let who: Vec<String> = self.typing.keys().cloned().collect();
        self.views.typing.set(who);
    }

    /// Applies the conversation document's data.
    pub(crate) fn apply_document(&mut self, data: &Value) {
        let text = |key: &str| data[key].as_str().map(str::to_owned);
        self.info.friendly_name = text("friendlyName");
        self.info.unique_name = text("uniqueName");
        self.info.created_by = text("createdBy");
        self.info.attributes = parse_attributes(&data["attributes"]);
        self.info.state =
            data["state"]["current"].as_str().map(ConversationState::parse).unwrap_or_default();
        if let Some(index) = data["lastMessage"]["index"].as_u64() {
            self.info.last_message_index = Some(index);
        }
    }
}

/// Attributes arrive as a JSON string (or an object); bad JSON becomes `{}`.
pub(crate) fn parse_attributes(value: &Value) -> Value {
    match value {
        Value::String(s) => {
            // convo-wire's JSON reader, as every other parse here (json.rs says why).
            json::parse(s.as_bytes()).unwrap_or_else(|_| Value::Object(Default::default()))
        }
        Value::Object(_) => value.clone(),
        _ => Value::Object(Default::default()),
    }
}

/// A message from its list item.
pub(crate) fn message_from_item(index: u64, data: &Value) -> Message {
    let text = |key: &str| data[key].as_str().map(str::to_owned);
    let media = data["medias"]
        .as_array()
        .cloned()
        .or_else(|| data.get("media").filter(|m| m.is_object()).map(|m| vec![m.clone()]))
        .unwrap_or_default()
        .iter()
        .filter(|m| m["category"].as_str().is_none_or(|c| c == "media"))
        .map(|m| Media {
            sid: m["sid"].as_str().unwrap_or_default().to_owned(),
            filename: m["filename"].as_str().map(str::to_owned),
            content_type: m["contentType"]
                .as_str()
                .unwrap_or("application/octet-stream")
                .to_owned(),
            size: m["size"].as_u64().unwrap_or(0),
        })
        .collect();
    Message {
        sid: text("sid").unwrap_or_default(),
        index,
        author: text("author").unwrap_or_default(),
        body: text("text"),
        attributes: parse_attributes(&data["attributes"]),
        media,
        date_created: text("timestamp").unwrap_or_default(),
        date_updated: text("dateUpdated").unwrap_or_default(),
        last_updated_by: text("lastUpdatedBy"),
    }
}

/// A participant from its roster item.
pub(crate) fn participant_from_item(sid: &str, data: &Value) -> Participant {
    Participant {
        sid: sid.to_owned(),
        identity: data["identity"].as_str().map(str::to_owned),
        kind: data["type"].as_str().unwrap_or("chat").to_owned(),
        attributes: parse_attributes(&data["attributes"]),
        user_friendly_name: None,
        online: None,
        read_horizon: data["lastConsumedMessageIndex"].as_u64(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn conversation() -> Conversation {
        Conversation {
            sid: "CH1".into(),
            document: "ET1".into(),
            list: "ES1".into(),
            roster: "MP1".into(),
            list_items_url: None,
            info: ConversationInfo::default(),
            participants: SortedMap::new(),
            messages: Messages::default(),
            removed: Default::default(),
            has_older: false,
            older: VecDeque::new(),
            typing: SortedMap::new(),
            views: Views::default(),
            unread: None,
        }
    }

    fn message(index: u64, body: &str) -> Message {
        message_from_item(
            index,
            &json!({ "sid": format!("IM{index}"), "text": body, "author": "bob" }),
        )
    }

    fn bodies(c: &Conversation) -> Vec<String> {
        c.views
            .timeline
            .get()
            .iter()
            .map(|item| match item {
                TimelineItem::Remote(m) => m.body.clone().unwrap_or_default(),
                TimelineItem::Pending(p) => {
                    format!("pending:{}", p.body.clone().unwrap_or_default())
                }
            })
            .collect()
    }

    #[test]
    fn test_messages_stay_in_index_order_before_pending_ones_and_dedupe_by_event_id() {
        let mut c = conversation();
        c.show_pending(PendingMessage {
            local_id: 1,
            body: Some("mine".into()),
            attributes: json!({}),
            media: vec![],
            status: crate::model::SendStatus::Queued,
        });
        assert!(c.upsert_message(10, message(5, "five")));
        assert!(c.upsert_message(11, message(3, "three")));
        assert!(c.upsert_message(12, message(7, "seven")));
        assert!(
            !c.upsert_message(10, message(5, "stale replay")),
            "older or equal event ids are ignored"
        );
        assert!(c.upsert_message(13, message(5, "five, edited")));
        assert_eq!(bodies(&c), ["three", "five, edited", "seven", "pending:mine"]);
        c.remove_message(3);
        assert!(
            !c.upsert_message(99, message(3, "resurrected")),
            "a removed message stays removed"
        );
        c.hide_pending(1);
        assert_eq!(bodies(&c), ["five, edited", "seven"]);
    }

    fn pending(local_id: u64, body: &str) -> PendingMessage {
        PendingMessage {
            local_id,
            body: Some(body.into()),
            attributes: json!({}),
            media: vec![],
            status: crate::model::SendStatus::Sending,
        }
    }

    #[test]
    fn test_a_confirmed_message_takes_its_pending_echos_place_in_one_set() {
        let mut c = conversation();
        c.upsert_message(1, message(0, "zero"));
        c.show_pending(pending(1, "mine"));
        c.show_pending(pending(2, "next"));
        let (_, mut diffs) = c.views.timeline.subscribe();
        c.confirm_pending(1, 2, message(1, "mine"));
        let diff = futures_util::FutureExt::now_or_never(futures_util::StreamExt::next(&mut diffs));
        assert!(
            matches!(diff, Some(Some(crate::VectorDiff::Set { index: 1, value: TimelineItem::Remote(ref m) })) if m.index == 1),
            "{diff:?}"
        );
        assert_eq!(bodies(&c), ["zero", "mine", "pending:next"]);
        // Overtaken by someone else's message: the echo goes, the message takes its rank.
        c.show_pending(pending(3, "late"));
        c.upsert_message(3, message(3, "theirs"));
        c.confirm_pending(2, 4, message(2, "next"));
        assert_eq!(bodies(&c), ["zero", "mine", "next", "theirs", "pending:late"]);
    }

    #[test]
    fn test_an_older_page_goes_in_front_as_one_change_and_ranks_stay_right() {
        let mut c = conversation();
        c.reset_messages(vec![(1, message(10, "ten")), (2, message(11, "eleven"))]);
        let (_, mut diffs) = c.views.timeline.subscribe();
        c.prepend_page(
            // Out of order, one index twice (the first kept).
            (5..10)
                .rev()
                .map(|i| (i, message(i, &i.to_string())))
                .chain([(9, message(11, "eleven, edited")), (20, message(6, "six again"))])
                .collect(),
        );
        let diff = futures_util::FutureExt::now_or_never(futures_util::StreamExt::next(&mut diffs));
        assert!(
            matches!(diff, Some(Some(crate::VectorDiff::PushFront { ref values })) if values.len() == 5),
            "{diff:?}"
        );
        assert_eq!(bodies(&c), ["5", "6", "7", "8", "9", "ten", "eleven, edited"]);
        assert_eq!((c.messages.rank(8), c.messages.rank(12), c.messages.rank(0)), (3, 7, 0));
        assert!(c.messages.contains(7) && !c.messages.contains(4));
        c.remove_message(7);
        assert_eq!(c.messages.rank(9), 3);
    }

    #[test]
    fn test_unread_counts_others_messages_after_the_horizon() {
        let mut c = conversation();
        for i in 0..5 {
            let mut m = message(i, "x");
            if i == 3 {
                m.author = "me".into();
            }
            c.upsert_message(i + 10, m);
        }
        c.info.last_message_index = Some(6);
        c.publish_info("me");
        assert_eq!(c.info.unread_count, None, "no horizon yet");
        c.info.read_horizon = Some(1);
        c.publish_info("me");
        // 2 and 4 are loaded and from others (3 is mine); 5 and 6 are not loaded yet.
        assert_eq!(c.info.unread_count, Some(4));
    }

    /// The kept count equals a count made afresh after every kind of change.
    #[test]
    fn test_the_kept_unread_count_follows_every_change_to_the_messages() {
        let fresh = |c: &Conversation| {
            let horizon = c.info.read_horizon.unwrap();
            c.messages.after(horizon).filter(|m| m.message.author != "me").count() as u64
        };
        let mine = |index: u64| {
            let mut m = message(index, "mine");
            m.author = "me".into();
            m
        };
        let mut c = conversation();
        for i in 10..20 {
            c.upsert_message(i, if i % 3 == 0 { mine(i) } else { message(i, "x") });
        }
        c.info.read_horizon = Some(12);
        let check = |c: &mut Conversation, what: &str| {
            c.publish_info("me");
            assert_eq!(c.info.unread_count, Some(fresh(c)), "{what}");
        };
        check(&mut c, "first count");
        c.upsert_message(100, message(20, "appended"));
        check(&mut c, "an append by someone else");
        c.upsert_message(101, mine(21));
        check(&mut c, "an append of mine");
        c.upsert_message(102, message(25, "a gap before it"));
        check(&mut c, "an append after a gap");
        c.upsert_message(103, message(23, "into the gap"));
        check(&mut c, "a message inserted before the newest");
        c.upsert_message(104, message(23, "edited"));
        check(&mut c, "an edit");
        c.remove_message(14);
        check(&mut c, "a removal");
        c.prepend_page(vec![(1, message(5, "old")), (2, message(8, "old"))]);
        check(&mut c, "an older page");
        c.info.read_horizon = Some(20);
        check(&mut c, "the horizon moved");
        c.upsert_message(105, message(26, "after the move"));
        check(&mut c, "an append after the move");
        c.reset_messages(vec![(1, message(30, "reloaded")), (2, mine(31))]);
        check(&mut c, "a reload");
        assert_eq!(c.info.unread_count, Some(1));
    }

    #[test]
    fn test_items_parse_like_the_sdk() {
        let m = message_from_item(
            4,
            &json!({ "sid": "IM4", "text": null, "attributes": "{\"a\":1}", "author": "ana", "type": "media",
                     "medias": [{ "sid": "ME1", "category": "media", "filename": "a.png", "contentType": "image/png", "size": 3 },
                                { "sid": "ME2", "category": "body", "contentType": "text/plain", "size": 1 }] }),
        );
        assert_eq!(m.attributes, json!({ "a": 1 }));
        assert_eq!(m.media.len(), 1, "email body parts are not attachments");
        assert_eq!(m.media[0].filename.as_deref(), Some("a.png"));
        assert_eq!(parse_attributes(&json!("not json")), json!({}));
        let p = participant_from_item(
            "MB1",
            &json!({ "identity": "ana", "attributes": "{\"friendlyName\":\"Ana\"}", "lastConsumedMessageIndex": 3 }),
        );
        assert_eq!(
            (p.kind.as_str(), p.read_horizon, &p.attributes["friendlyName"]),
            ("chat", Some(3), &json!("Ana"))
        );
    }
}
