//! REST API v1 resource bodies, with Twilio's field names.

use serde_json::{json, Value};

use crate::{
    ids::now_millis,
    world::{Conversation, Message, Participant, User, World},
};

/// REST dates: ISO 8601 to the second, as Twilio's API returns them.
pub(crate) fn date(millis: u64) -> String {
    convo_wire::time::rfc3339(millis / 1000)
}

/// Upcoming timer deadlines; an empty object when none is set, as Twilio returns. A passed
/// deadline is not a timer any more: it already moved the state.
pub(crate) fn timers(c: &Conversation) -> Value {
    let (inactive, closed) = c.timer_deadlines();
    let upcoming = |at: Option<u64>| {
        at.filter(|t| *t > now_millis() && c.state != crate::world::State::Closed).map(date)
    };
    let mut timers = serde_json::Map::new();
    if let Some(at) = upcoming(inactive) {
        timers.insert("date_inactive".to_owned(), json!(at));
    }
    if let Some(at) = upcoming(closed) {
        timers.insert("date_closed".to_owned(), json!(at));
    }
    Value::Object(timers)
}

impl World {
    pub(crate) fn rest_conversation(&self, prefix: &str, c: &Conversation) -> Value {
        let url = format!("{}{prefix}/Conversations/{}", self.base_url, c.sid);
        json!({
            "sid": c.sid,
            "account_sid": self.config.credentials.account_sid,
            "chat_service_sid": self.service_sid(),
            "messaging_service_sid": null,
            "friendly_name": c.friendly_name,
            "unique_name": c.unique_name,
            "attributes": c.attributes,
            "state": c.state.as_str(),
            "date_created": date(c.date_created),
            "date_updated": date(c.date_updated),
            "timers": timers(c),
            "bindings": {},
            "url": url,
            "links": {
                "participants": format!("{url}/Participants"),
                "messages": format!("{url}/Messages"),
                "webhooks": format!("{url}/Webhooks"),
            },
        })
    }

    pub(crate) fn rest_participant(
        &self,
        prefix: &str,
        c: &Conversation,
        p: &Participant,
    ) -> Value {
        json!({
            "sid": p.sid,
            "account_sid": self.config.credentials.account_sid,
            "chat_service_sid": self.service_sid(),
            "conversation_sid": c.sid,
            "identity": p.identity,
            "attributes": p.attributes,
            "messaging_binding": p.messaging_binding,
            "role_sid": p.role_sid,
            "date_created": date(p.date_created),
            "date_updated": date(p.date_updated),
            "last_read_message_index": p.last_read,
            "last_read_timestamp": p.last_read_at.map(date),
            "url": format!("{}{prefix}/Conversations/{}/Participants/{}", self.base_url, c.sid, p.sid),
        })
    }

    pub(crate) fn rest_message(&self, prefix: &str, c: &Conversation, m: &Message) -> Value {
        let url = format!("{}{prefix}/Conversations/{}/Messages/{}", self.base_url, c.sid, m.sid);
        let media: Option<Vec<Value>> = (!m.media.is_empty()).then(|| {
            m.media
                .iter()
                .map(|x| json!({ "sid": x.sid, "size": x.size, "content_type": x.content_type, "filename": x.filename, "category": x.category }))
                .collect()
        });
        json!({
            "sid": m.sid,
            "account_sid": self.config.credentials.account_sid,
            "chat_service_sid": self.service_sid(),
            "conversation_sid": c.sid,
            "index": m.index,
            "author": m.author,
            "body": m.body,
            "media": media,
            "attributes": m.attributes,
            "participant_sid": m.participant_sid,
            "date_created": date(m.date_created),
            "date_updated": date(m.date_updated),
            "delivery": null,
            "content_sid": null,
            "url": url,
            "links": {
                "delivery_receipts": format!("{url}/Receipts"),
                "channel_metadata": format!("{url}/ChannelMetadata"),
            },
        })
    }

    pub(crate) fn rest_user(&self, prefix: &str, u: &User) -> Value {
        let url = format!("{}{prefix}/Users/{}", self.base_url, u.sid);
        json!({
            "sid": u.sid,
            "account_sid": self.config.credentials.account_sid,
            "chat_service_sid": self.service_sid(),
            "role_sid": u.role_sid,
            "identity": u.identity,
            "friendly_name": u.friendly_name,
            "attributes": u.attributes,
            "is_online": u.online,
            "is_notifiable": null,
            "date_created": date(u.date_created),
            "date_updated": date(u.date_updated),
            "url": url,
            "links": { "user_conversations": format!("{url}/Conversations") },
        })
    }
}

impl World {
    /// A `/v1/ParticipantConversations` entry.
    pub(crate) fn rest_participant_conversation(
        &self,
        prefix: &str,
        c: &Conversation,
        p: &Participant,
    ) -> Value {
        let conversation_url = format!("{}{prefix}/Conversations/{}", self.base_url, c.sid);
        json!({
            "account_sid": self.config.credentials.account_sid,
            "chat_service_sid": self.service_sid(),
            "participant_sid": p.sid,
            "participant_user_sid": p.identity.as_ref().and_then(|i| self.users.get(i)).map(|u| u.sid.clone()),
            "participant_identity": p.identity,
            "participant_messaging_binding": p.messaging_binding,
            "conversation_sid": c.sid,
            "conversation_unique_name": c.unique_name,
            "conversation_friendly_name": c.friendly_name,
            "conversation_attributes": c.attributes,
            "conversation_date_created": date(c.date_created),
            "conversation_date_updated": date(c.date_updated),
            "conversation_created_by": c.created_by,
            "conversation_state": c.state.as_str(),
            "conversation_timers": timers(c),
            "links": {
                "participant": format!("{conversation_url}/Participants/{}", p.sid),
                "conversation": conversation_url,
            },
        })
    }

    /// A `/v1/Users/{User}/Conversations` entry.
    pub(crate) fn rest_user_conversation(
        &self,
        prefix: &str,
        u: &User,
        c: &Conversation,
        p: &Participant,
    ) -> Value {
        let conversation_url = format!("{}{prefix}/Conversations/{}", self.base_url, c.sid);
        json!({
            "account_sid": self.config.credentials.account_sid,
            "chat_service_sid": self.service_sid(),
            "conversation_sid": c.sid,
            "unread_messages_count": self.unread_count(&c.sid, &u.identity),
            "last_read_message_index": p.last_read,
            "participant_sid": p.sid,
            "user_sid": u.sid,
            "friendly_name": c.friendly_name,
            "conversation_state": c.state.as_str(),
            "timers": timers(c),
            "attributes": c.attributes,
            "date_created": date(c.date_created),
            "date_updated": date(c.date_updated),
            "created_by": c.created_by,
            "notification_level": p.notification_level,
            "unique_name": c.unique_name,
            "url": format!("{}{prefix}/Users/{}/Conversations/{}", self.base_url, u.sid, c.sid),
            "links": {
                "participant": format!("{conversation_url}/Participants/{}", p.sid),
                "conversation": conversation_url,
            },
        })
    }
}
