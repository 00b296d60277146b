//! Messages: send, edit, remove.

use convo_wire::TwilioError;
use serde_json::{json, Value};

use super::{MediaRef, Message, World};
use crate::{
    ids::{iso, now_millis, sid},
    routing::{bad_request, not_found},
    sync::{Key, Kind},
    webhooks::message_fields,
};

/// A message to add.
#[derive(Debug, Default, Clone)]
pub(crate) struct NewMessage {
    pub(crate) author: String,
    pub(crate) body: Option<String>,
    pub(crate) subject: Option<String>,
    pub(crate) attributes: Option<String>,
    pub(crate) media_sids: Vec<String>,
    /// A back-dated creation time (REST `DateCreated`, for imported history).
    pub(crate) date_created: Option<u64>,
}

impl World {
    fn check_body(&self, body: &str) -> Result<(), TwilioError> {
        let limit = self.config.limits.body_bytes;
        if body.len() > limit {
            return Err(bad_request(format!(
                "Message body is {} bytes; the limit is {limit}",
                body.len()
            )));
        }
        Ok(())
    }

    /// Appends a message at the next index. Returns its index.
    pub(crate) fn send_message(
        &mut self,
        conversation: &str,
        new: NewMessage,
    ) -> Result<u64, TwilioError> {
        let attributes = new.attributes.unwrap_or_else(|| "{}".to_owned());
        let c = self.conversations.get(conversation).ok_or_else(|| not_found(conversation))?;
        if c.state == super::State::Closed {
            return Err(TwilioError::new(
                400,
                50446,
                "The conversation is closed and does not accept new messages",
            ));
        }
        let body = new.body.filter(|b| !b.is_empty());
        if let Some(body) = &body {
            self.check_body(body)?;
        }
        Self::check_attributes("Message", &attributes, self.config.limits.attributes_bytes)?;
        let limit = self.config.limits.media_per_message;
        if new.media_sids.len() > limit {
            return Err(bad_request(format!(
                "A message can carry at most {limit} media; got {}",
                new.media_sids.len()
            )));
        }
        if body.is_none() && new.media_sids.is_empty() {
            return Err(bad_request("A message needs a body or media"));
        }
        let mut media = Vec::with_capacity(new.media_sids.len());
        for media_sid in &new.media_sids {
            let m = self
                .media
                .get(media_sid)
                .ok_or_else(|| bad_request(format!("Media {media_sid} does not exist")))?;
            if m.author != new.author {
                return Err(bad_request(format!(
                    "Media {media_sid} was not uploaded by {}",
                    new.author
                )));
            }
            if m.attached_to.is_some() {
                return Err(bad_request(format!(
                    "Media {media_sid} is already attached to a message"
                )));
            }
            media.push(MediaRef {
                sid: m.sid.clone(),
                size: m.bytes.len(),
                content_type: m.content_type.clone(),
                filename: m.filename.clone(),
                category: m.category.clone(),
            });
        }

        let now = now_millis();
        let created = new.date_created.unwrap_or(now);
        let c = self.conversations.get_mut(conversation).expect("checked above");
        let index = c.next_index;
        c.next_index += 1;
        let message = Message {
            sid: sid("IM"),
            index,
            participant_sid: c.participant_by_identity(&new.author).map(|p| p.sid.clone()),
            author: new.author,
            body,
            subject: new.subject,
            attributes,
            media,
            date_created: created,
            date_updated: created,
            last_updated_by: None,
        };
        for m in &message.media {
            if let Some(stored) = self.media.get_mut(&m.sid) {
                stored.attached_to = Some((conversation.to_owned(), message.sid.clone()));
            }
        }
        let c = self.conversations.get_mut(conversation).expect("checked above");
        c.date_updated = now;
        c.last_activity = now;
        let list = c.list.clone();
        let data = list_item_data(&message);
        let fields = message_fields(c, &message);
        c.messages.insert(index, message);
        self.record("onMessageAdded", fields);
        if let Some(event) = self.sync.item_set(&list, Key::Index(index), data) {
            self.publish(&list, Kind::List, &event);
        }
        // A message wakes an inactive conversation.
        if self.conversations[conversation].state == super::State::Inactive {
            self.set_state(conversation, super::State::Active, "API");
        }
        self.publish_document(conversation);
        Ok(index)
    }

    /// The index of message `message_sid`.
    pub(crate) fn message_index(&self, conversation: &str, message_sid: &str) -> Option<u64> {
        let c = self.conversations.get(conversation)?;
        c.messages.values().find(|m| m.sid == message_sid).map(|m| m.index)
    }

    /// Edits a message's body and/or attributes.
    pub(crate) fn update_message(
        &mut self,
        conversation: &str,
        index: u64,
        body: Option<String>,
        attributes: Option<String>,
        updated_by: &str,
        author: Option<String>,
    ) -> Result<(), TwilioError> {
        if let Some(body) = &body {
            self.check_body(body)?;
        }
        if let Some(attributes) = &attributes {
            Self::check_attributes("Message", attributes, self.config.limits.attributes_bytes)?;
        }
        let c = self.conversations.get_mut(conversation).ok_or_else(|| not_found(conversation))?;
        let message = c.messages.get_mut(&index).ok_or_else(|| not_found(index))?;
        if let Some(body) = body {
            message.body = Some(body);
        }
        if let Some(attributes) = attributes {
            message.attributes = attributes;
        }
        if let Some(author) = author {
            message.author = author;
        }
        message.date_updated = now_millis();
        message.last_updated_by = Some(updated_by.to_owned());
        let data = list_item_data(message);
        let fields = message_fields(c, &c.messages[&index]);
        let list = c.list.clone();
        self.record("onMessageUpdated", fields);
        if let Some(event) = self.sync.item_set(&list, Key::Index(index), data) {
            self.publish(&list, Kind::List, &event);
        }
        Ok(())
    }

    /// Removes a message (its index is never reused).
    pub(crate) fn remove_message(
        &mut self,
        conversation: &str,
        index: u64,
    ) -> Result<(), TwilioError> {
        let c = self.conversations.get_mut(conversation).ok_or_else(|| not_found(conversation))?;
        let message = c.messages.remove(&index).ok_or_else(|| not_found(index))?;
        let fields = message_fields(c, &message);
        let list = c.list.clone();
        self.record("onMessageRemoved", fields);
        for m in &message.media {
            self.media.remove(&m.sid);
        }
        if let Some(event) = self.sync.item_remove(&list, &Key::Index(index)) {
            self.publish(&list, Kind::List, &event);
        }
        self.publish_document(conversation);
        Ok(())
    }
}

/// The messages-list item data (state.md §3.4).
fn list_item_data(m: &Message) -> Value {
    let medias: Vec<Value> = m
        .media
        .iter()
        .map(|media| {
            json!({
                "sid": media.sid,
                "category": media.category,
                "filename": media.filename,
                "contentType": media.content_type,
                "size": media.size,
            })
        })
        .collect();
    let mut data = json!({
        "sid": m.sid,
        "text": m.body,
        "type": if m.media.is_empty() { "text" } else { "media" },
        "author": m.author,
        "attributes": m.attributes,
        "timestamp": iso(m.date_created),
        "dateUpdated": iso(m.date_updated),
        "memberSid": m.participant_sid,
        "subject": m.subject,
        "contentSid": null,
        "lastUpdatedBy": m.last_updated_by,
    });
    if let Some(first) = medias.first() {
        // The legacy single-media field, for clients that only read `media`.
        data["media"] = first.clone();
        data["medias"] = Value::Array(medias);
    }
    data
}
