//! The public handles: [`Client`] and [`ConversationHandle`].

use std::sync::Arc;

use convo_wire::json;
use convo_wire::object;
use futures_channel::{mpsc, oneshot};
use serde_json::Value;

use crate::{
    connection::Connection,
    engine::{api::encode, conversation::Views, Command, Engine, Event, Published},
    model::{Attachment, ConversationInfo, MediaUrl, Participant, TimelineItem, UnsentMessage},
    ClientConfig, ConnectionState, Error, Observable, ObservableVector, Subscriber, TokenProvider,
};

/// Twilio's documented limits, checked before anything is sent.
pub mod limits {
    /// Message body, in UTF-8 bytes.
    pub const BODY_BYTES: usize = 32 * 1024;
    /// Message attributes, in bytes of JSON.
    pub const ATTRIBUTES_BYTES: usize = 4 * 1024;
    /// Attachments per message.
    pub const MEDIA_PER_MESSAGE: usize = 10;
    /// One attachment, in bytes.
    pub const MEDIA_BYTES: usize = 150 * 1024 * 1024;
}

/// A connection to Twilio Conversations and everything known through it. Cheap to clone; all
/// clones share one connection. Dropping every clone does not stop it: call
/// [`Client::shutdown`].
#[derive(Debug, Clone)]
pub struct Client {
    connection: Connection,
    engine: mpsc::UnboundedSender<Event>,
    published: Published,
}

impl Client {
    /// Starts connecting in the background and returns at once.
    pub fn connect(config: ClientConfig, tokens: Arc<dyn TokenProvider>) -> Client {
        let (events, driver_events) = mpsc::unbounded();
        let connection = Connection::start(config.clone(), tokens, events);
        let published = Published::default();
        let engine = Engine::start(connection.clone(), driver_events, &config, published.clone());
        Client { connection, engine, published }
    }

    /// The current connection state.
    pub fn state(&self) -> ConnectionState {
        self.connection.state().get()
    }

    /// The connection state now and after every change.
    pub fn subscribe_state(&self) -> Subscriber<ConnectionState> {
        self.connection.state().subscribe()
    }

    /// This user's identity, once the service has told it.
    pub fn identity(&self) -> Observable<Option<String>> {
        self.published.identity.clone()
    }

    /// The conversations this user has joined.
    pub fn conversations(&self) -> Observable<Vec<ConversationInfo>> {
        self.published.conversations.clone()
    }

    /// A handle on one conversation; its views fill in once it is loaded.
    pub fn conversation(&self, sid: &str) -> ConversationHandle {
        let views = self
            .published
            .views
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_or_insert_with(sid.to_owned(), Views::default)
            .clone();
        ConversationHandle {
            sid: sid.to_owned(),
            views,
            engine: self.engine.clone(),
            identity: self.identity(),
        }
    }

    /// Creates a conversation (not joined: call [`ConversationHandle::join`]). Returns its SID.
    pub async fn create_conversation(
        &self,
        friendly_name: Option<&str>,
        attributes: Value,
    ) -> Result<String, Error> {
        let body =
            object! { "friendly_name": friendly_name, "attributes": json::text(&attributes) };
        let (reply, answer) = oneshot::channel();
        self.send(Command::CreateConversation { body, reply })?;
        answer.await.map_err(gone)?
    }

    /// A temporary URL (about five minutes) to download an attachment by its media SID, with
    /// how long it lasts. Asked before the connection is first up, it waits for it.
    pub async fn media_url(&self, media_sid: &str) -> Result<MediaUrl, Error> {
        let (reply, answer) = oneshot::channel();
        self.send(Command::MediaUrl { media: media_sid.to_owned(), reply })?;
        answer.await.map_err(gone)?
    }

    fn send(&self, command: Command) -> Result<(), Error> {
        self.engine.unbounded_send(Event::Command(command)).map_err(|_| gone(()))
    }

    /// Reconnects now instead of waiting out the backoff (a "retry now" button).
    pub fn reconnect_now(&self) {
        self.connection.wake();
    }

    /// Closes the connection for good; the state becomes `Disconnected`.
    pub fn shutdown(&self) {
        self.connection.shutdown();
    }
}

fn gone<T>(_: T) -> Error {
    Error::Transport("the client has shut down".to_owned())
}

/// One conversation: what is known about it (as observables) and what can be done in it.
#[derive(Debug, Clone)]
pub struct ConversationHandle {
    sid: String,
    views: Views,
    engine: mpsc::UnboundedSender<Event>,
    identity: Observable<Option<String>>,
}

impl ConversationHandle {
    /// CH…
    pub fn sid(&self) -> &str {
        &self.sid
    }

    /// Name, attributes, state, read horizon, unread count; `None` until loaded (or after
    /// leaving).
    pub fn info(&self) -> Observable<Option<ConversationInfo>> {
        self.views.info.clone()
    }

    /// The members, with their users' names and presence.
    pub fn participants(&self) -> Observable<Vec<Participant>> {
        self.views.participants.clone()
    }

    /// Identities typing right now (never this user).
    pub fn typing(&self) -> Observable<Vec<String>> {
        self.views.typing.clone()
    }

    /// The loaded messages in index order, then this user's pending ones.
    pub fn timeline(&self) -> ObservableVector<TimelineItem> {
        self.views.timeline.clone()
    }

    /// Whether older messages than the loaded ones exist.
    pub fn has_older(&self) -> Observable<bool> {
        self.views.has_older.clone()
    }

    fn command(&self, command: Command) -> Result<(), Error> {
        self.engine.unbounded_send(Event::Command(command)).map_err(gone)
    }

    /// Sends a text message. It shows at once as pending, is kept while offline, and is
    /// delivered in order exactly once. Returns its local id.
    pub async fn send_text(&self, body: &str, attributes: Value) -> Result<u64, Error> {
        self.send(Some(body.to_owned()), attributes, Vec::new()).await
    }

    /// Sends text and/or attachments (uploaded first, with progress in the timeline).
    pub async fn send(
        &self,
        body: Option<String>,
        attributes: Value,
        attachments: Vec<Attachment>,
    ) -> Result<u64, Error> {
        let media: Vec<(&str, u64)> =
            attachments.iter().map(|a| (a.filename.as_str(), a.bytes.len() as u64)).collect();
        check_new_message(body.as_deref(), &attributes, &media)?;
        let (reply, answer) = oneshot::channel();
        self.command(Command::Send {
            conversation: self.sid.clone(),
            body,
            attributes,
            attachments,
            reply,
        })?;
        answer.await.map_err(gone)
    }

    /// This user's messages sent from this client that the server has not confirmed
    /// applying, oldest first, with their idempotency keys: what a page keeps so that a
    /// reload loses none of them (give them to [`ConversationHandle::restore`] after it).
    /// Changes as messages are queued, uploaded, fail, or are confirmed.
    pub fn unsent(&self) -> Observable<Vec<UnsentMessage>> {
        self.views.unsent.clone()
    }

    /// Queues again messages kept from an earlier page (see [`ConversationHandle::unsent`]),
    /// behind anything queued already, each under its original idempotency key: a message
    /// the server applied before the reload, its reply lost, is answered again and not
    /// applied twice. They show as pending once the conversation is loaded, and are sent as
    /// any other. One whose key is queued already is skipped. Nothing is queued if one of
    /// them breaks a limit, or has attachments that were never uploaded (their bytes were not
    /// kept: send those again).
    pub async fn restore(&self, messages: Vec<UnsentMessage>) -> Result<(), Error> {
        for message in &messages {
            check_unsent(message)?;
        }
        let (reply, answer) = oneshot::channel();
        self.command(Command::Restore { conversation: self.sid.clone(), messages, reply })?;
        answer.await.map_err(gone)
    }

    /// Sends a failed message again.
    pub fn retry(&self, local_id: u64) -> Result<(), Error> {
        self.command(Command::Retry { conversation: self.sid.clone(), local_id })
    }

    /// Drops a message that has not been sent yet (aborting its upload).
    pub fn cancel(&self, local_id: u64) -> Result<(), Error> {
        self.command(Command::Cancel { conversation: self.sid.clone(), local_id })
    }

    /// Loads the page before the oldest loaded message; returns whether still older exist.
    pub async fn load_older(&self) -> Result<bool, Error> {
        let (reply, answer) = oneshot::channel();
        self.command(Command::LoadOlder { conversation: self.sid.clone(), reply })?;
        answer.await.map_err(gone)?
    }

    /// Tells the others this user is typing (throttled to once per the service's timeout).
    pub fn notify_typing(&self) -> Result<(), Error> {
        self.command(Command::Typing { conversation: self.sid.clone() })
    }

    async fn call(&self, method: &'static str, path: String, body: Value) -> Result<Value, Error> {
        let (reply, answer) = oneshot::channel();
        self.command(Command::Call { conversation: self.sid.clone(), method, path, body, reply })?;
        answer.await.map_err(gone)?
    }

    /// Edits the body of one of this user's messages.
    pub async fn update_message(&self, message_sid: &str, body: &str) -> Result<(), Error> {
        check_limits(Some(body), None, &[])?;
        self.call("POST", format!("/Messages/{}", encode(message_sid)), object! { "body": body })
            .await
            .map(drop)
    }

    /// Replaces the attributes of one of this user's messages.
    pub async fn update_message_attributes(
        &self,
        message_sid: &str,
        attributes: Value,
    ) -> Result<(), Error> {
        check_limits(None, Some(&attributes), &[])?;
        let body = object! { "attributes": json::text(&attributes) };
        self.call("POST", format!("/Messages/{}", encode(message_sid)), body).await.map(drop)
    }

    /// Removes one of this user's messages.
    pub async fn remove_message(&self, message_sid: &str) -> Result<(), Error> {
        self.call("DELETE", format!("/Messages/{}", encode(message_sid)), object! {})
            .await
            .map(drop)
    }

    /// Joins the conversation.
    pub async fn join(&self) -> Result<(), Error> {
        let me =
            self.identity.get().ok_or_else(|| Error::Transport("not connected yet".to_owned()))?;
        self.call("POST", "/Participants".to_owned(), object! { "identity": me }).await.map(drop)
    }

    /// Leaves the conversation.
    pub async fn leave(&self) -> Result<(), Error> {
        let me =
            self.identity.get().ok_or_else(|| Error::Transport("not connected yet".to_owned()))?;
        self.call("DELETE", format!("/Participants/{}", encode(&me)), object! {}).await.map(drop)
    }

    /// Replaces the conversation's attributes.
    pub async fn update_attributes(&self, attributes: Value) -> Result<(), Error> {
        self.call("POST", String::new(), object! { "attributes": json::text(&attributes) })
            .await
            .map(drop)
    }

    /// Moves this user's read horizon forward to `index` (never back). Returns the unread
    /// count the service reports.
    pub async fn advance_read_horizon(&self, index: u64) -> Result<Option<u64>, Error> {
        let current = self.views.info.get().and_then(|i| i.read_horizon);
        let index = current.map_or(index, |c| c.max(index));
        let (reply, answer) = oneshot::channel();
        self.command(Command::ReadHorizon {
            conversation: self.sid.clone(),
            index: Some(index),
            reply,
        })?;
        answer.await.map_err(gone)?
    }
}

/// The longest idempotency key a restored message may carry (the emulator's cap; ours are 36
/// bytes, as the SDK's).
const IDEMPOTENCY_KEY_BYTES: usize = 128;

/// Checks a message kept from an earlier page before it is queued again.
fn check_unsent(message: &UnsentMessage) -> Result<(), Error> {
    let key = &message.idempotency_key;
    if key.is_empty() || key.len() > IDEMPOTENCY_KEY_BYTES || !key.is_ascii() {
        return Err(Error::Invalid(format!("\"{key}\" is not an idempotency key")));
    }
    if message.media_sids.len() != message.media.len() {
        return Err(Error::Invalid(format!(
            "{} of {} attachments were uploaded: the others cannot be sent without their bytes",
            message.media_sids.len(),
            message.media.len()
        )));
    }
    let media: Vec<(&str, u64)> =
        message.media.iter().map(|(name, _, size)| (name.as_str(), *size)).collect();
    check_new_message(message.body.as_deref(), &message.attributes, &media)
}

/// Twilio's limits on what a message may carry: the body's bytes, the attributes' bytes, the
/// number and size of attachments. Edits are checked against them too.
fn check_limits(
    body: Option<&str>,
    attributes: Option<&Value>,
    attachments: &[(&str, u64)],
) -> Result<(), Error> {
    if let Some(body) = body {
        if body.len() > limits::BODY_BYTES {
            return Err(Error::Invalid(format!(
                "the message is {} bytes; the limit is {}",
                body.len(),
                limits::BODY_BYTES
            )));
        }
    }
    if let Some(attributes) = attributes {
        let size = json::text(attributes).len();
        if size > limits::ATTRIBUTES_BYTES {
            return Err(Error::Invalid(format!(
                "attributes are {size} bytes; the limit is {}",
                limits::ATTRIBUTES_BYTES
            )));
        }
    }
    if attachments.len() > limits::MEDIA_PER_MESSAGE {
        return Err(Error::Invalid(format!(
            "{} attachments; at most {} per message",
            attachments.len(),
            limits::MEDIA_PER_MESSAGE
        )));
    }
    if let Some((name, _)) = attachments.iter().find(|(_, size)| *size > limits::MEDIA_BYTES as u64)
    {
        return Err(Error::Invalid(format!(
            "{name} is over the {} MB limit",
            limits::MEDIA_BYTES / (1024 * 1024)
        )));
    }
    Ok(())
}

/// A new message: within the limits, and with something to show (text or an attachment).
fn check_new_message(
    body: Option<&str>,
    attributes: &Value,
    attachments: &[(&str, u64)],
) -> Result<(), Error> {
    check_limits(body, Some(attributes), attachments)?;
    if body.is_none_or(|b| b.trim().is_empty()) && attachments.is_empty() {
        return Err(Error::Invalid("a message needs text or an attachment".to_owned()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn test_limits_are_checked_before_sending() {
        let file = |n: u64| ("f", n);
        assert!(check_new_message(Some("hi"), &json!({}), &[]).is_ok());
        let long = "x".repeat(limits::BODY_BYTES + 1);
        assert!(check_new_message(Some(&long), &json!({}), &[]).is_err());
        assert!(check_new_message(Some("hi"), &json!({ "a": "b".repeat(5000) }), &[]).is_err());
        assert!(check_new_message(None, &json!({}), &[file(1); 11]).is_err());
        assert!(check_new_message(None, &json!({}), &[file(1)]).is_ok());
        let huge = file(limits::MEDIA_BYTES as u64 + 1);
        assert!(check_new_message(None, &json!({}), &[huge]).is_err());
        assert!(check_new_message(Some("  "), &json!({}), &[]).is_err(), "nothing to send");
    }

    #[test]
    fn test_edits_are_held_to_the_limits_only() {
        // New attributes for a message that exists: nothing else to carry.
        assert!(check_limits(None, Some(&json!({ "reaction": "👍" })), &[]).is_ok());
        assert!(check_limits(None, Some(&json!({ "a": "b".repeat(5000) })), &[]).is_err());
        assert!(check_limits(Some("edited"), None, &[]).is_ok());
        let long = "x".repeat(limits::BODY_BYTES + 1);
        assert!(check_limits(Some(&long), None, &[]).is_err());
    }

    #[test]
    fn test_a_restored_message_needs_its_key_and_every_attachment_uploaded() {
        let kept = UnsentMessage {
            idempotency_key: "4f1c2a9e-0b7d-4c3e-9a51-2d6f8e0b1c7a".into(),
            body: Some("hi".into()),
            attributes: json!({}),
            media: vec![("a.png".into(), "image/png".into(), 10)],
            media_sids: vec!["ME1".into()],
            failed: None,
        };
        assert!(check_unsent(&kept).is_ok());
        let media_only = UnsentMessage { body: None, ..kept.clone() };
        assert!(check_unsent(&media_only).is_ok(), "an uploaded attachment is enough");
        let not_uploaded = UnsentMessage { media_sids: Vec::new(), ..kept.clone() };
        assert!(check_unsent(&not_uploaded).is_err(), "the bytes are gone");
        for key in ["", "k\u{e9}y", &"k".repeat(IDEMPOTENCY_KEY_BYTES + 1)] {
            let bad = UnsentMessage { idempotency_key: key.into(), ..kept.clone() };
            assert!(check_unsent(&bad).is_err(), "{key:?}");
        }
        let empty =
            UnsentMessage { body: Some(" ".into()), media: vec![], media_sids: vec![], ..kept };
        assert!(check_unsent(&empty).is_err(), "nothing to send");
    }
}
