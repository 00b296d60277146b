//! The returning visitor's last first page, kept in the page's storage, so a click on the
//! launcher shows it at once while the connection catches up; the client's first snapshot then
//! revalidates it (rows with the same message keep their DOM). Only what the rows show is kept:
//! the newest messages, the members' public names, the staff map and the read horizon.

use std::sync::Arc;

use convo_client::{ConversationInfo, Media, Message, Participant, TimelineItem};
use convo_wire::object;
use serde_json::Value;

use super::chat::{Chat, Event};

/// Messages kept: the first page's size.
const MESSAGES: usize = 50;
/// Bumped when the stored shape changes: older entries are ignored.
const VERSION: u64 = 1;

/// The storage key of `conversation`'s cached page, under the widget's own key.
pub fn key(storage_key: &str, conversation: &str) -> String {
    format!("{storage_key}:page:{conversation}")
}

/// The chat's newest page as JSON, if it has one.
pub fn snapshot(chat: &Chat) -> Option<Value> {
    let info = chat.info.as_ref()?;
    let entries = chat.timeline.entries();
    let messages: Vec<Value> = entries
        .iter()
        .rev()
        .filter_map(|e| match &e.item {
            TimelineItem::Remote(m) => Some(message_json(m)),
            TimelineItem::Pending(_) => None,
        })
        .take(MESSAGES)
        .collect();
    let people: Vec<Value> = chat
        .people
        .participants()
        .iter()
        .map(|p| {
            object! {
                "sid": p.sid,
                "identity": p.identity,
                "name": p.attributes["friendlyName"].as_str().or(p.user_friendly_name.as_deref()),
            }
        })
        .collect();
    Some(object! {
        "v": VERSION,
        "sid": info.sid,
        "me": chat.me,
        "horizon": info.read_horizon,
        "last": info.last_message_index,
        "staff": info.attributes["staff"],
        "people": people,
        "messages": messages,
    })
}

/// The events that show a cached page, oldest message first; empty when `value` is not one.
pub fn events(value: &Value) -> Vec<Event> {
    if value["v"].as_u64() != Some(VERSION) {
        return Vec::new();
    }
    let Some(sid) = value["sid"].as_str() else { return Vec::new() };
    let mut messages: Vec<TimelineItem> = value["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(message_from)
        .map(|m| TimelineItem::Remote(Arc::new(m)))
        .collect();
    messages.reverse();
    let participants = value["people"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| Participant {
            sid: p["sid"].as_str().unwrap_or_default().to_owned(),
            identity: p["identity"].as_str().map(str::to_owned),
            kind: "chat".to_owned(),
            attributes: object! { "friendlyName": p["name"] },
            ..Participant::default()
        })
        .collect();
    let info = ConversationInfo {
        sid: sid.to_owned(),
        attributes: object! { "staff": value["staff"] },
        read_horizon: value["horizon"].as_u64(),
        last_message_index: value["last"].as_u64(),
        ..ConversationInfo::default()
    };
    vec![
        Event::Identity(value["me"].as_str().map(str::to_owned)),
        Event::Info(Some(info)),
        Event::Participants(participants),
        Event::Timeline(convo_client::VectorDiff::Reset { values: messages }),
        Event::Attached,
    ]
}

fn message_json(m: &Message) -> Value {
    let media: Vec<Value> = m
        .media
        .iter()
        .map(|x| object! { "sid": x.sid, "filename": x.filename, "type": x.content_type, "size": x.size })
        .collect();
    object! {
        "sid": m.sid,
        "index": m.index,
        "author": m.author,
        "body": m.body,
        "media": media,
        "date": m.date_created,
    }
}

fn message_from(v: &Value) -> Option<Message> {
    let text = |key: &str| v[key].as_str().map(str::to_owned);
    Some(Message {
        sid: text("sid")?,
        index: v["index"].as_u64()?,
        author: text("author").unwrap_or_default(),
        body: text("body"),
        attributes: object! {},
        media: v["media"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|x| Media {
                sid: x["sid"].as_str().unwrap_or_default().to_owned(),
                filename: x["filename"].as_str().map(str::to_owned),
                content_type: x["type"].as_str().unwrap_or("application/octet-stream").to_owned(),
                size: x["size"].as_u64().unwrap_or(0),
            })
            .collect(),
        date_created: text("date").unwrap_or_default(),
        date_updated: String::new(),
        last_updated_by: None,
    })
}

#[cfg(test)]
mod tests {
    use convo_client::VectorDiff;
    use serde_json::json;

    use super::*;
    use crate::state::{
        chat::Phase,
        timeline::tests::{message, utc_days},
    };

    #[test]
    fn test_a_cached_page_shows_the_same_rows_and_is_not_news() {
        let mut chat = Chat::new(utc_days, utc_days("2026-12-06T00:00:00Z"), true);
        chat.apply(Event::Identity(Some("me".into())));
        chat.apply(Event::Starting);
        chat.apply(Event::Attached);
        chat.apply(Event::Info(Some(ConversationInfo {
            sid: "CH1".into(),
            last_message_index: Some(60),
            read_horizon: Some(58),
            attributes: json!({ "staff": { "ana": "agent" } }),
            ..ConversationInfo::default()
        })));
        chat.apply(Event::Timeline(VectorDiff::Reset {
            values: (0..=60)
                .map(|i| message(i, if i % 2 == 0 { "ana" } else { "me" }, 6))
                .collect(),
        }));
        let stored = snapshot(&chat).expect("a page");
        let text = stored.to_string();

        let mut again = Chat::new(utc_days, utc_days("2026-12-06T00:00:00Z"), true);
        again.apply(Event::Starting);
        let mut news = Vec::new();
        for event in events(&serde_json::from_str(&text).unwrap()) {
            news.extend(again.apply(event).arrived);
        }
        assert!(news.is_empty());
        assert_eq!(again.phase, Phase::Chat);
        let keys = |c: &Chat| {
            c.timeline.entries().iter().map(|e| (e.key, e.first, e.own)).collect::<Vec<_>>()
        };
        assert_eq!(keys(&again), keys(&chat)[11..].to_vec(), "the newest 50, laid out the same");
        assert_eq!(again.people.role("ana"), crate::state::Role::Agent);
        assert!(events(&json!({ "v": 0 })).is_empty(), "another version is ignored");
    }
}
