//! The commands components call. The handle owns the live session; components never see it.

use std::collections::HashMap;

use convo_client::{Attachment, ConnectionState, ConversationHandle, TimelineItem};
use leptos::{prelude::*, task::spawn_local};
use serde_json::{json, Map, Value};

use super::{
    bridge::{self, Live, Start},
    DraftFile, Phase, Store,
};
use crate::{
    config::{FieldKind, HostUser},
    dom,
    util::validate::{self, FieldError, FileError},
    WidgetConfig,
};

/// What components can ask the widget to do.
#[derive(Debug, Clone, Copy)]
pub struct ChatHandle {
    store: Store,
    config: StoredValue<WidgetConfig>,
    live: StoredValue<Option<Live>>,
    next_file: StoredValue<u64>,
}

impl ChatHandle {
    /// A handle over `store`.
    pub fn new(store: Store, config: WidgetConfig) -> Self {
        ChatHandle {
            store,
            config: StoredValue::new(config),
            live: StoredValue::new(None),
            next_file: StoredValue::new(0),
        }
    }

    /// The handle provided by the enclosing [`crate::App`].
    #[track_caller]
    pub fn expect() -> Self {
        expect_context::<ChatHandle>()
    }

    /// The configuration.
    pub fn config(&self) -> WidgetConfig {
        self.config.get_value()
    }

    fn conversation(&self) -> Option<ConversationHandle> {
        self.live.with_value(|live| live.as_ref().and_then(Live::conversation))
    }

    fn notice(&self, text: String) {
        crate::api::emit("error", &json!({ "message": text }));
        self.store.notices.update(|n| {
            if !n.contains(&text) {
                n.push(text);
            }
        });
    }

    /// Reconnects a stored session at page load, panel closed, so news arriving while the
    /// visitor browses shows on the launcher.
    pub fn resume_stored(&self) {
        if self.store.phase.get_untracked() != Phase::Idle {
            return;
        }
        if let Some(session) = dom::load_session(&self.config().storage_key()) {
            self.start(Start::Stored(session));
        }
    }

    /// Opens the panel: resumes a stored session, or shows the pre-chat form, or starts at once.
    pub fn open(&self) {
        let store = self.store;
        store.open.set(true);
        store.unread.set(0);
        store.divider_after.set(store.info.get_untracked().and_then(|i| i.read_horizon));
        let config = self.config();
        // A stored session refused while the panel was closed (expired, deleted) has been
        // forgotten: start afresh rather than greet the visitor with an error.
        if store.phase.get_untracked() == Phase::Unavailable
            && dom::load_session(&config.storage_key()).is_none()
        {
            self.stop();
            store.phase.set(Phase::Idle);
        }
        if store.phase.get_untracked() != Phase::Idle {
            return;
        }
        if let Some(session) = dom::load_session(&config.storage_key()) {
            self.start(Start::Stored(session));
        } else if let Some(user) = config.user.clone() {
            let mut form = Map::new();
            for (key, value) in [
                ("identity", user.identity),
                ("identity_signature", user.identity_signature),
                ("name", user.name),
                ("email", user.email),
            ] {
                if let Some(value) = value {
                    form.insert(key.to_owned(), value.into());
                }
            }
            self.start(Start::New(self.new_session_form(form)));
        } else if config.prechat.is_empty() {
            self.start(Start::New(self.new_session_form(Map::new())));
        } else {
            store.phase.set(Phase::PreChat);
        }
    }

    /// Closes the panel (the connection stays up so nothing is missed). An inline panel stays.
    pub fn close(&self) {
        if !self.config.with_value(|c| c.inline) {
            self.store.open.set(false);
        }
    }

    /// Disconnects for good: the widget is leaving the page (the agent desk switching
    /// conversations). Its store may already be gone, so only the client is touched.
    pub fn disconnect(&self) {
        if let Some(live) = self.live.try_get_value().flatten() {
            live.client.shutdown();
        }
    }

    /// Opens a closed panel, closes an open one.
    pub fn toggle(&self) {
        if self.store.open.get_untracked() {
            self.close();
        } else {
            self.open();
        }
    }

    /// What every new session carries besides `form`: the locale, and the host's attributes.
    fn new_session_form(&self, mut form: Map<String, Value>) -> Map<String, Value> {
        form.insert("locale".to_owned(), self.store.locale.get_untracked().tag().into());
        let attributes = self.config.with_value(|c| c.attributes.clone());
        if !attributes.is_empty() {
            form.insert("attributes".to_owned(), Value::Object(attributes));
        }
        form
    }

    /// The host identified the visitor (`setUser`): the next session is theirs, and a pre-chat
    /// form on screen gives way.
    pub fn set_user(&self, user: HostUser) {
        self.config.update_value(|c| c.user = Some(user));
        if self.store.phase.get_untracked() == Phase::PreChat {
            self.store.phase.set(Phase::Idle);
            if self.store.open.get_untracked() {
                self.open();
            }
        }
    }

    /// Attributes for the visitor's next conversation (`setAttributes`).
    pub fn set_attributes(&self, attributes: Map<String, Value>) {
        self.config.update_value(|c| c.attributes = attributes);
    }

    /// Forgets the visitor (`reset()`, e.g. on the host's log-out): disconnects, clears the
    /// stored session and closes the panel; the next open starts afresh.
    pub fn reset(&self) {
        self.stop();
        dom::clear_session(&self.config().storage_key());
        let store = self.store;
        store.open.set(false);
        store.unread.set(0);
        store.divider_after.set(None);
        store.notices.set(Vec::new());
        store.phase.set(Phase::Idle);
        store.connection.set(ConnectionState::Disconnected);
        self.config.update_value(|c| c.user = None);
    }

    fn start(&self, start: Start) {
        self.stop();
        self.store.phase.set(Phase::Starting);
        let live = bridge::connect(self.store, &self.config(), start);
        self.live.set_value(Some(live));
    }

    fn stop(&self) {
        if let Some(live) = self.live.get_value() {
            live.client.shutdown();
        }
        self.live.set_value(None);
        let store = self.store;
        store.info.set(None);
        store.timeline.set(Vec::new());
        store.participants.set(Vec::new());
        store.typing.set(Vec::new());
    }

    /// Validates the pre-chat form and starts the chat.
    pub fn submit_prechat(&self, values: HashMap<FieldKind, String>) {
        let store = self.store;
        let strings = store.locale.get_untracked().strings();
        let message = |error: FieldError| match error {
            FieldError::Required => strings.required.to_owned(),
            FieldError::Email => strings.invalid_email.to_owned(),
            FieldError::TooLong(n) => (strings.too_long)(n),
        };
        let mut errors = HashMap::new();
        let mut form = Map::new();
        for field in self.config().prechat {
            let value = values.get(&field.kind).cloned().unwrap_or_default();
            let (key, result) = match field.kind {
                FieldKind::Name => ("name", validate::name(&value, field.required)),
                FieldKind::Email => ("email", validate::email(&value, field.required)),
                FieldKind::Question => (
                    "question",
                    validate::text(&value, field.required, convo_client::limits::BODY_BYTES),
                ),
            };
            match result {
                Ok(()) if !value.trim().is_empty() => {
                    form.insert(key.to_owned(), value.trim().into());
                }
                Ok(()) => {}
                Err(e) => {
                    errors.insert(key, message(e));
                }
            }
        }
        let valid = errors.is_empty();
        store.form_errors.set(errors);
        if valid {
            self.start(Start::New(self.new_session_form(form)));
        }
    }

    /// Sends the draft (text and attached files).
    pub fn send(&self) {
        let store = self.store;
        let body = store.draft.get_untracked();
        let files = store.files.get_untracked();
        if body.trim().is_empty() && files.is_empty() {
            return;
        }
        if body.len() > convo_client::limits::BODY_BYTES {
            self.notice(store.locale.get_untracked().strings().over_limit.to_owned());
            return;
        }
        let Some(conversation) = self.conversation() else { return };
        let attachments = files
            .iter()
            .map(|f| Attachment {
                filename: f.name.clone(),
                content_type: f.content_type.clone(),
                bytes: f.bytes.to_vec(),
            })
            .collect();
        let text = (!body.trim().is_empty()).then(|| body.trim_end().to_owned());
        // The draft clears at once: the message is in the timeline (pending) from here on.
        store.draft.set(String::new());
        for file in &files {
            if let Some(url) = &file.preview {
                dom::revoke(url);
            }
        }
        store.files.set(Vec::new());
        let handle = *self;
        spawn_local(async move {
            if let Err(e) = conversation.send(text.clone(), json!({}), attachments).await {
                // Nothing was queued: give the text back.
                store.draft.set(text.unwrap_or_default());
                handle.notice(e.to_string());
            }
        });
    }

    /// Sends a failed message again.
    pub fn retry(&self, local_id: u64) {
        if let Some(c) = self.conversation() {
            let _ = c.retry(local_id);
        }
    }

    /// Drops a message that has not gone out (aborting its upload).
    pub fn cancel(&self, local_id: u64) {
        if let Some(c) = self.conversation() {
            let _ = c.cancel(local_id);
        }
    }

    /// Loads the page of messages before the oldest loaded one.
    pub fn load_older(&self) {
        let store = self.store;
        if store.loading_older.get_untracked() || !store.has_older.get_untracked() {
            return;
        }
        let Some(conversation) = self.conversation() else { return };
        store.loading_older.set(true);
        spawn_local(async move {
            let _ = conversation.load_older().await;
            store.loading_older.set(false);
        });
    }

    /// The visitor is typing.
    pub fn typing(&self) {
        if let Some(c) = self.conversation() {
            let _ = c.notify_typing();
        }
    }

    /// Reads, checks and attaches files (picked, dropped or pasted).
    pub fn add_files(&self, files: Vec<web_sys::File>) {
        let handle = *self;
        spawn_local(async move {
            for file in files {
                let store = handle.store;
                let strings = store.locale.get_untracked().strings();
                let policy = handle.config().attachments;
                let name = if file.name().is_empty() {
                    "pasted-image.png".to_owned()
                } else {
                    file.name()
                };
                let content_type = if file.type_().is_empty() {
                    "application/octet-stream".to_owned()
                } else {
                    file.type_()
                };
                let already = store.files.with_untracked(Vec::len);
                if let Err(error) = policy.check(&name, &content_type, file.size() as u64, already)
                {
                    handle.notice(match error {
                        FileError::TooBig { name, limit } => {
                            (strings.file_too_big)(&name, &validate::human_size(limit))
                        }
                        FileError::Type { name } => (strings.file_type)(&name),
                        FileError::TooMany { limit } => (strings.file_too_many)(limit),
                        FileError::Empty { name } => (strings.file_empty)(&name),
                    });
                    continue;
                }
                let Ok(bytes) = dom::read_file(&file).await else { continue };
                let preview = content_type
                    .starts_with("image/")
                    .then(|| dom::object_url(&bytes, &content_type))
                    .flatten();
                let id = handle.next_file.get_value() + 1;
                handle.next_file.set_value(id);
                store.files.update(|f| {
                    f.push(DraftFile {
                        id,
                        name,
                        content_type,
                        bytes: std::sync::Arc::new(bytes),
                        preview,
                    });
                });
            }
        });
    }

    /// Takes a file out of the draft.
    pub fn remove_file(&self, id: u64) {
        self.store.files.update(|files| {
            if let Some(position) = files.iter().position(|f| f.id == id) {
                if let Some(url) = &files[position].preview {
                    dom::revoke(url);
                }
                files.remove(position);
            }
        });
    }

    /// Dismisses a notice.
    pub fn dismiss(&self, notice: &str) {
        self.store.notices.update(|n| n.retain(|x| x != notice));
    }

    /// The visitor has seen every message up to `index`.
    pub fn seen_up_to(&self, index: u64) {
        let current = self.store.info.with_untracked(|i| i.as_ref().and_then(|i| i.read_horizon));
        if current.is_some_and(|c| c >= index) {
            return;
        }
        if let Some(conversation) = self.conversation() {
            spawn_local(async move {
                let _ = conversation.advance_read_horizon(index).await;
            });
        }
    }

    /// Fetches a temporary URL for an attachment (once).
    pub fn media_url(&self, media_sid: &str) {
        let store = self.store;
        if store.media_urls.with_untracked(|m| m.contains_key(media_sid)) {
            return;
        }
        let Some(client) = self.live.with_value(|l| l.as_ref().map(|l| l.client.clone())) else {
            return;
        };
        let sid = media_sid.to_owned();
        store.media_urls.update(|m| {
            m.insert(sid.clone(), String::new());
        });
        spawn_local(async move {
            match client.media_url(&sid).await {
                Ok(url) => store.media_urls.update(|m| {
                    m.insert(sid, url);
                }),
                Err(_) => store.media_urls.update(|m| {
                    m.remove(&sid);
                }),
            }
        });
    }

    /// Loads the whole history, then offers it as a text file.
    pub fn download_transcript(&self) {
        let store = self.store;
        let Some(conversation) = self.conversation() else { return };
        spawn_local(async move {
            while conversation.load_older().await.unwrap_or(false) {}
            let lines: Vec<String> = conversation
                .timeline()
                .get()
                .into_iter()
                .filter_map(|item| match item {
                    TimelineItem::Remote(m) => {
                        let who = bridge::display_name(store, &m.author);
                        let files: Vec<String> = m
                            .media
                            .iter()
                            .map(|x| {
                                format!("[{}]", x.filename.clone().unwrap_or_else(|| x.sid.clone()))
                            })
                            .collect();
                        let text = [m.body.clone().unwrap_or_default(), files.join(" ")]
                            .join(" ")
                            .trim()
                            .to_owned();
                        Some(format!("[{}] {who}: {text}", m.date_created))
                    }
                    TimelineItem::Pending(_) => None,
                })
                .collect();
            let title =
                store.info.get_untracked().and_then(|i| i.friendly_name).unwrap_or_default();
            dom::download_text("conversation.txt", &format!("{title}\n\n{}\n", lines.join("\n")));
        });
    }

    /// Starts a new conversation after the last one ended (same visitor).
    pub fn start_new(&self) {
        let previous = self.live.with_value(|l| l.as_ref().and_then(|l| l.tokens.session().get()));
        let mut form = self.new_session_form(Map::new());
        if let Some(previous) = previous {
            form.insert("session".to_owned(), previous.session.into());
            form.insert("new_conversation".to_owned(), true.into());
        }
        dom::clear_session(&self.config().storage_key());
        self.store.divider_after.set(None);
        self.start(Start::New(form));
    }

    /// "Retry now": reconnect at once, or start over when the chat was unavailable.
    pub fn retry_connection(&self) {
        match self.store.connection.get_untracked() {
            ConnectionState::Denied { .. } | ConnectionState::Terminated { .. } => {
                self.stop();
                self.store.phase.set(Phase::Idle);
                self.open();
            }
            _ => {
                if let Some(live) = self.live.get_value() {
                    live.client.reconnect_now();
                }
            }
        }
    }

    /// Shows an image full size.
    pub fn show_image(&self, url: String, name: String) {
        self.store.lightbox.set(Some((url, name)));
    }

    /// Closes the full-size image.
    pub fn close_image(&self) {
        self.store.lightbox.set(None);
    }
}
