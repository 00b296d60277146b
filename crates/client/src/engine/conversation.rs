//! One conversation's state in the engine, and how it is mirrored into its views.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use crate::{
    model::{
        ConversationInfo, ConversationState, Media, Message, Participant, PendingMessage,
        TimelineItem,
    },
    Observable, ObservableVector,
};

/// What the UI watches for one conversation.
#[derive(Debug, Clone, Default)]
pub(crate) struct Views {
    pub(crate) info: Observable<Option<ConversationInfo>>,
    pub(crate) participants: Observable<Vec<Participant>>,
    pub(crate) typing: Observable<Vec<String>>,
    pub(crate) timeline: ObservableVector<TimelineItem>,
    pub(crate) has_older: Observable<bool>,
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
    pub(crate) participants: BTreeMap<String, (u64, Participant)>,
    /// The loaded window of messages, by index, with their event ids.
    pub(crate) messages: BTreeMap<u64, (u64, Message)>,
    /// Indices of removed messages, so a late older page cannot bring one back.
    pub(crate) removed: std::collections::BTreeSet<u64>,
    pub(crate) has_older: bool,
    /// Who is typing, until when (Unix ms).
    pub(crate) typing: HashMap<String, u64>,
    pub(crate) views: Views,
}

impl Conversation {
    /// Where the message with `index` goes (or is) in the timeline: its rank among loaded
    /// messages; pending ones come after all of them.
    fn rank(&self, index: u64) -> usize {
        self.messages.range(..index).count()
    }

    /// Adds or replaces a message unless the stored one is as new or newer.
    pub(crate) fn upsert_message(&mut self, event_id: u64, message: Message) -> bool {
        let index = message.index;
        if self.removed.contains(&index) {
            return false;
        }
        match self.messages.get(&index) {
            Some((stored, _)) if *stored >= event_id => false,
            Some(_) => {
                let rank = self.rank(index);
                self.messages.insert(index, (event_id, message.clone()));
                self.views.timeline.set(rank, TimelineItem::Remote(message));
                true
            }
            None => {
                let rank = self.rank(index);
                self.messages.insert(index, (event_id, message.clone()));
                self.views.timeline.insert(rank, TimelineItem::Remote(message));
                true
            }
        }
    }

    pub(crate) fn remove_message(&mut self, index: u64) {
        self.removed.insert(index);
        if self.messages.contains_key(&index) {
            let rank = self.rank(index);
            self.messages.remove(&index);
            self.views.timeline.remove(rank);
        }
    }

    /// The timeline position of a pending message, if it is shown.
    fn pending_position(&self, local_id: u64) -> Option<usize> {
        self.views.timeline.with(|items| {
            items
                .iter()
                .position(|item| matches!(item, TimelineItem::Pending(p) if p.local_id == local_id))
        })
    }

    pub(crate) fn show_pending(&self, pending: PendingMessage) {
        match self.pending_position(pending.local_id) {
            Some(position) => self.views.timeline.set(position, TimelineItem::Pending(pending)),
            None => self.views.timeline.insert(usize::MAX, TimelineItem::Pending(pending)),
        }
    }

    pub(crate) fn hide_pending(&self, local_id: u64) {
        if let Some(position) = self.pending_position(local_id) {
            self.views.timeline.remove(position);
        }
    }

    pub(crate) fn newest_index(&self) -> Option<u64> {
        self.messages.keys().next_back().copied()
    }

    pub(crate) fn oldest_index(&self) -> Option<u64> {
        self.messages.keys().next().copied()
    }

    /// Recomputes the unread count and publishes the info.
    pub(crate) fn publish_info(&mut self, me: &str) {
        self.info.unread_count = self.info.read_horizon.map(|horizon| {
            let loaded =
                self.messages.range(horizon + 1..).filter(|(_, (_, m))| m.author != me).count()
                    as u64;
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
        let mut who: Vec<String> = self.typing.keys().cloned().collect();
        who.sort();
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
            serde_json::from_str(s).unwrap_or_else(|_| Value::Object(Default::default()))
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
            participants: BTreeMap::new(),
            messages: BTreeMap::new(),
            removed: Default::default(),
            has_older: false,
            typing: HashMap::new(),
            views: Views::default(),
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
