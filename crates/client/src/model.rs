//! The conversation model as the UI sees it: plain values, no Leptos, no sockets.

use std::sync::Arc;

use serde_json::Value;

/// The lifecycle state of a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConversationState {
    /// In use.
    #[default]
    Active,
    /// Not in use; a new message makes it active again.
    Inactive,
    /// Ended for good: no new messages.
    Closed,
}

impl ConversationState {
    pub(crate) fn parse(s: &str) -> Self {
        match s {
            "inactive" => ConversationState::Inactive,
            "closed" => ConversationState::Closed,
            _ => ConversationState::Active,
        }
    }
}

/// What is known about a conversation.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ConversationInfo {
    /// CH…
    pub sid: String,
    /// The friendly name.
    pub friendly_name: Option<String>,
    /// The unique name.
    pub unique_name: Option<String>,
    /// Attributes (JSON).
    pub attributes: Value,
    /// Active, inactive or closed.
    pub state: ConversationState,
    /// Who created it.
    pub created_by: Option<String>,
    /// The newest message's index.
    pub last_message_index: Option<u64>,
    /// This user's read horizon.
    pub read_horizon: Option<u64>,
    /// Messages from others after this user's horizon (`None` before the first horizon).
    pub unread_count: Option<u64>,
}

/// A conversation member.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Participant {
    /// MB…
    pub sid: String,
    /// The chat identity (`None` for SMS/WhatsApp participants).
    pub identity: Option<String>,
    /// `chat`, `sms`, `whatsapp`, …
    pub kind: String,
    /// Attributes (JSON); a public display name is `attributes.friendlyName`.
    pub attributes: Value,
    /// The user's friendly name, once its user info is loaded.
    pub user_friendly_name: Option<String>,
    /// Whether the user is online (reachability), once known.
    pub online: Option<bool>,
    /// Their read horizon: every message up to this index is read.
    pub read_horizon: Option<u64>,
}

/// An attachment of a sent message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Media {
    /// ME…
    pub sid: String,
    /// The file name, when one was given.
    pub filename: Option<String>,
    /// The MIME type.
    pub content_type: String,
    /// Bytes.
    pub size: u64,
}

/// A temporary URL to an attachment's bytes: the URL is the credential, and it expires (Twilio's
/// after five minutes), so it is worth keeping only as long as [`MediaUrl::valid_for`] says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaUrl {
    /// The URL.
    pub url: String,
    /// How long after it was fetched it still works: what its `Expires` parameter says, never
    /// more than Twilio's documented five minutes (the browser's clock may be behind the
    /// server's), and five minutes when it says nothing usable.
    pub valid_for: std::time::Duration,
}

/// A message the server has.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// IM…
    pub sid: String,
    /// Its position in the conversation; grows with each message, never reused.
    pub index: u64,
    /// The author's identity.
    pub author: String,
    /// The text.
    pub body: Option<String>,
    /// Attributes (JSON).
    pub attributes: Value,
    /// Attachments.
    pub media: Vec<Media>,
    /// When it was sent (RFC 3339).
    pub date_created: String,
    /// When it was last edited (RFC 3339).
    pub date_updated: String,
    /// Who edited it last.
    pub last_updated_by: Option<String>,
}

/// Where a message the user sent stands.
#[derive(Debug, Clone, PartialEq)]
pub enum SendStatus {
    /// Waiting to be sent (offline, or behind earlier messages).
    Queued,
    /// Attachments uploading: `sent` of `total` bytes.
    Uploading {
        /// Bytes sent.
        sent: u64,
        /// Bytes in all.
        total: u64,
    },
    /// Sent; waiting for the server's confirmation.
    Sending,
    /// Not sent; [`crate::ConversationHandle::retry`] sends it again.
    Failed {
        /// Why.
        error: String,
    },
}

/// A file to attach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The file name.
    pub filename: String,
    /// The MIME type.
    pub content_type: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// A message the user sent that the server has not confirmed yet.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingMessage {
    /// Identifies it until it is confirmed.
    pub local_id: u64,
    /// The text.
    pub body: Option<String>,
    /// Attributes (JSON).
    pub attributes: Value,
    /// Attachment names, types and sizes.
    pub media: Vec<(String, String, u64)>,
    /// Where it stands.
    pub status: SendStatus,
}

/// A message this client sent that the server has not confirmed applying, in the form a page
/// keeps across a reload and hands back to [`crate::ConversationHandle::restore`]. Its
/// idempotency key goes with it: sent again under the same key, a message the server applied
/// before the reload (its reply lost) is answered again instead of applied twice.
#[derive(Debug, Clone, PartialEq)]
pub struct UnsentMessage {
    /// The idempotency key (`X-Twilio-Mutation-Id`) every attempt of this message carries.
    pub idempotency_key: String,
    /// The text.
    pub body: Option<String>,
    /// Attributes (JSON).
    pub attributes: Value,
    /// Attachment names, types and sizes.
    pub media: Vec<(String, String, u64)>,
    /// The media SIDs of the attachments uploaded so far: the first `media_sids.len()` of
    /// `media`. A message is restored only when all of them are: the bytes of the others are
    /// not kept.
    pub media_sids: Vec<String>,
    /// Why it failed, when it waits for the user's retry.
    pub failed: Option<String>,
}

/// One row of a conversation's timeline: confirmed messages in index order, then the user's
/// pending ones in the order they were sent. Cheap to clone: the client, its subscribers and
/// the UI share one copy of each message.
#[derive(Debug, Clone, PartialEq)]
pub enum TimelineItem {
    /// On the server.
    Remote(Arc<Message>),
    /// Not confirmed yet.
    Pending(Arc<PendingMessage>),
}

impl TimelineItem {
    /// The message index, for a confirmed message.
    pub fn index(&self) -> Option<u64> {
        match self {
            TimelineItem::Remote(m) => Some(m.index),
            TimelineItem::Pending(_) => None,
        }
    }
}
