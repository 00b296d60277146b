//! JSON renderings of domain objects for the client API (aim) and MCS.

use serde_json::{json, Value};

use super::{Conversation, Media, Message, Participant, World};
use crate::ids::iso;

impl World {
    fn client_base(&self) -> String {
        format!("{}/Client/v2/Services/{}", self.base_url, self.service_sid())
    }

    /// `{links.conversations}/{sid}`.
    pub(crate) fn conversation_url(&self, sid: &str) -> String {
        format!("{}/Conversations/{sid}", self.client_base())
    }

    /// The `GET Client/v2/Configuration` body for `identity`.
    pub(crate) fn configuration(&self, identity: &str) -> Value {
        let user = &self.users[identity];
        let client = self.client_base();
        let mcs = format!("{}/v1/Services/{}", self.base_url, self.service_sid());
        let limits = &self.config.limits;
        json!({
            "url": format!("{}/Client/v2/Configuration", self.base_url),
            "identity": identity,
            "sync_objects": { "my_conversations": user.my_conversations, "my_user_info": user.user_info },
            "links": {
                "my_conversations": format!("{client}/Users/Me/Conversations"),
                "conversations": format!("{client}/Conversations"),
                "users": format!("{client}/Users"),
                "current_user": format!("{client}/Users/Me"),
                "typing": format!("{client}/Typing"),
                "media_service": format!("{mcs}/Media"),
                "media_set_service": format!("{mcs}/MediaSet"),
                "messages_receipts": format!("{client}/Conversations/%s/Messages/%s/Receipts"),
            },
            "options": {
                "consumption_report_interval": "PT5S",
                "user_infos_to_subscribe": 100,
                "reachability_enabled": true,
                "http_cache_interval": "PT5S",
                "my_conversations_page_size": 100,
                "media_attachments_count_limit": limits.media_per_message,
                "media_attachment_size_limit_in_mb": limits.media_bytes / (1024 * 1024),
                "media_attachments_total_size_limit_in_mb": limits.media_bytes / (1024 * 1024),
                "email_histories_allowed_mime_types": ["text/plain"],
                "email_bodies_allowed_mime_types": ["text/plain"],
            },
        })
    }

    /// A conversation as the aim API returns it (create reply, peek).
    pub(crate) fn conversation_json(&self, c: &Conversation) -> Value {
        let url = self.conversation_url(&c.sid);
        json!({
            "sid": c.sid,
            "account_sid": self.config.credentials.account_sid,
            "chat_service_sid": self.service_sid(),
            "friendly_name": c.friendly_name,
            "unique_name": c.unique_name,
            "attributes": c.attributes,
            "created_by": c.created_by,
            "date_created": iso(c.date_created),
            "date_updated": iso(c.date_updated),
            "state": c.state.as_str(),
            "notification_level": "default",
            "messages_count": c.messages.len(),
            "participants_count": c.participants.len(),
            "url": url,
            "links": {
                "messages": format!("{url}/Messages"),
                "participants": format!("{url}/Participants"),
            },
            "sync_objects": { "conversation": c.document, "messages": c.list, "participants": c.roster },
        })
    }

    /// `identity`'s view of a conversation it participates in (my-conversations entries).
    pub(crate) fn user_conversation_json(
        &self,
        c: &Conversation,
        p: &Participant,
        identity: &str,
    ) -> Value {
        let mut value = self.conversation_json(c);
        value["conversation_sid"] = json!(c.sid);
        value["status"] = json!("joined");
        value["notification_level"] = json!(p.notification_level);
        value["last_read_message_index"] = json!(p.last_read);
        value["unread_messages_count"] = json!(self.unread_count(&c.sid, identity));
        value
    }

    /// A participant (the `ParticipantResponse` shape).
    pub(crate) fn participant_json(&self, c: &Conversation, p: &Participant) -> Value {
        json!({
            "account_sid": self.config.credentials.account_sid,
            "chat_service_sid": self.service_sid(),
            "conversation_sid": c.sid,
            "sid": p.sid,
            "identity": p.identity,
            "attributes": p.attributes,
            "messaging_binding": p.messaging_binding,
            "role_sid": p.role_sid,
            "date_created": iso(p.date_created),
            "date_updated": iso(p.date_updated),
            "last_read_message_index": p.last_read,
            "last_read_timestamp": p.last_read_at.map(iso),
            "url": format!("{}/Participants/{}", self.conversation_url(&c.sid), p.sid),
            "links": { "conversation": self.conversation_url(&c.sid) },
        })
    }

    /// A message as the send reply carries it.
    pub(crate) fn message_json(&self, c: &Conversation, m: &Message) -> Value {
        let url = format!("{}/Messages/{}", self.conversation_url(&c.sid), m.sid);
        let media: Option<Vec<Value>> = (!m.media.is_empty()).then(|| {
            m.media
                .iter()
                .map(|media| {
                    json!({
                        "sid": media.sid,
                        "size": media.size,
                        "content_type": media.content_type,
                        "filename": media.filename,
                        "category": media.category,
                    })
                })
                .collect()
        });
        json!({
            "account_sid": self.config.credentials.account_sid,
            "chat_service_sid": self.service_sid(),
            "conversation_sid": c.sid,
            "sid": m.sid,
            "index": m.index,
            "author": m.author,
            "body": m.body,
            "subject": m.subject,
            "attributes": m.attributes,
            "participant_sid": m.participant_sid,
            "media": media,
            "date_created": iso(m.date_created),
            "date_updated": iso(m.date_updated),
            "url": url,
            "links": {},
        })
    }

    /// An MCS media record.
    pub(crate) fn media_json(&self, m: &Media) -> Value {
        let path = format!("/v1/Services/{}/Media/{}", self.service_sid(), m.sid);
        json!({
            "sid": m.sid,
            "service_sid": self.service_sid(),
            "account_sid": self.config.credentials.account_sid,
            "channel_sid": m.attached_to.as_ref().map(|(c, _)| c),
            "message_sid": m.attached_to.as_ref().map(|(_, msg)| msg),
            "date_created": iso(m.date_created),
            "date_upload_updated": iso(m.date_created),
            "date_updated": iso(m.date_created),
            "size": m.bytes.len(),
            "content_type": m.content_type,
            "filename": m.filename,
            "category": m.category,
            "author": m.author,
            "is_multipart_upstream": false,
            "url": path,
            "links": {
                "content": format!("{path}/Content"),
                // Like Twilio's signed CDN URLs, it states its end (`Expires`, Unix seconds) and
                // is refused after it.
                "content_direct_temporary": format!(
                    "{}{path}/Content?Expires={}&Token={}",
                    self.base_url,
                    m.temporary_expires / 1000,
                    m.temporary_token
                ),
            },
        })
    }
}
