//! The commands components call. The handle owns the live session; components never see it.
//! What a command changes in the chat goes through the store's reducer ([`Store::apply`]);
//! what it asks of the client runs as a Leptos `Action` (or a task), and a failure becomes a
//! notice, never a silent drop.

use std::{collections::HashMap, time::Duration};

use convo_client::{Attachment, ConnectionState, ConversationHandle, TimelineItem};
use leptos::{prelude::*, task::spawn_local};
use serde_json::{json, Map, Value};

use super::{
    bridge::{self, Live, Start},
    chat::{Event, Phase},
    DraftFile, Store,
};
use crate::{
    config::{FieldKind, HostUser},
    dom,
    error::WidgetError,
    util::validate::{self, FieldError, FileError},
    WidgetConfig,
};

/// How long the read horizon waits for the visitor to see more before it is sent: one RPC
/// for a burst of messages read, not one per message.
const HORIZON_DEBOUNCE: Duration = Duration::from_millis(500);
/// Pages of older messages asked for at once while the visitor scrolls back.
const OLDER_IN_FLIGHT: usize = 3;

/// Tells the visitor (and the page, as an `error` event) that something failed.
fn notice(store: Store, text: String) {
    crate::api::emit("error", &json!({ "message": text }));
    store.notices.update(|n| {
        if !n.contains(&text) {
            n.push(text);
        }
    });
}

/// What components can ask the widget to do.
#[derive(Clone, Copy)]
pub struct ChatHandle {
    store: Store,
    config: StoredValue<WidgetConfig>,
    live: StoredValue<Option<Live>>,
    next_file: StoredValue<u64>,
    /// Sends the draft: `(text, attachments)`; the client's local id, or why it refused.
    send_action: Action<(Option<String>, Vec<Attachment>), Result<u64, WidgetError>>,
    /// Loads a page of older messages; whether still older ones exist.
    older_action: Action<(), Result<bool, WidgetError>>,
    older_in_flight: StoredValue<usize>,
    horizon_scheduled: StoredValue<bool>,
}

impl ChatHandle {
    /// A handle over `store`.
    pub fn new(store: Store, config: WidgetConfig) -> Self {
        let live = StoredValue::new(None::<Live>);
        let conversation =
            move || live.with_value(|l: &Option<Live>| l.as_ref().and_then(Live::conversation));
        let send_action =
            Action::new_local(move |(text, attachments): &(Option<String>, Vec<Attachment>)| {
                let (text, attachments, conversation) =
                    (text.clone(), attachments.clone(), conversation());
                async move {
                    let conversation = conversation.ok_or(WidgetError::NotConnected)?;
                    let sent = conversation.send(text.clone(), json!({}), attachments).await;
                    sent.map_err(|error| {
                        // Nothing was queued: give the text back.
                        store.draft.set(text.unwrap_or_default());
                        notice(store, error.to_string());
                        WidgetError::from(error)
                    })
                }
            });
        let older_in_flight = StoredValue::new(0usize);
        let older_action = Action::new_local(move |_: &()| {
            let conversation = conversation();
            async move {
                let loaded = match conversation {
                    Some(conversation) => {
                        conversation.load_older().await.map_err(WidgetError::from)
                    }
                    None => Err(WidgetError::NotConnected),
                };
                if older_in_flight.try_update_value(|n| *n = n.saturating_sub(1)).is_some() {
                    store.loading_older.set(older_in_flight.get_value() > 0);
                }
                if let Err(error) = &loaded {
                    dom::warn(&format!("older messages: {error}"));
                }
                loaded
            }
        });
        ChatHandle {
            store,
            config: StoredValue::new(config),
            live,
            next_file: StoredValue::new(0),
            send_action,
            older_action,
            older_in_flight,
            horizon_scheduled: StoredValue::new(false),
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
        notice(self.store, text);
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
        let config = self.config();
        // A stored session refused while the panel was closed (expired, deleted) has been
        // forgotten: start afresh rather than greet the visitor with an error.
        if store.phase.get_untracked() == Phase::Unavailable
            && dom::load_session(&config.storage_key()).is_none()
        {
            self.stop();
            store.apply(Event::Reset);
        }
        store.apply(Event::Opened);
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
            store.apply(Event::PreChatShown);
        }
    }

    /// Closes the panel (the connection stays up so nothing is missed). An inline panel stays.
    pub fn close(&self) {
        if !self.config.with_value(|c| c.inline) {
            self.store.apply(Event::Closed);
        }
    }

    /// Disconnects for good: the widget is leaving the page (the agent desk switching
    /// conversations). Its store may already be gone, so only the client is touched.
    pub fn disconnect(&self) {
        if let Some(live) = self.live.try_get_value().flatten() {
            live.shutdown();
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
            let open = self.store.open.get_untracked();
            self.store.apply(Event::Reset);
            if open {
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
        self.store.notices.set(Vec::new());
        self.store.apply(Event::Reset);
        self.config.update_value(|c| c.user = None);
    }

    fn start(&self, start: Start) {
        self.stop();
        self.store.apply(Event::Starting);
        // A returning visitor sees their last page at once; the connection revalidates it.
        if let Start::Stored(session) = &start {
            let key = super::cache::key(&self.config().storage_key(), &session.conversation_sid);
            if let Some(page) = dom::load_json(&key) {
                self.store.apply_all(super::cache::events(&page));
            }
        }
        let live = bridge::connect(self.store, &self.config(), start);
        self.live.set_value(Some(live));
    }

    fn stop(&self) {
        if let Some(live) = self.live.get_value() {
            live.shutdown();
        }
        self.live.set_value(None);
        self.store.apply(Event::Detached);
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
        if self.conversation().is_none() {
            return;
        }
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
        self.send_action.dispatch_local((text, attachments));
    }

    /// Sends a failed message again.
    pub fn retry(&self, local_id: u64) {
        if let Some(Err(e)) = self.conversation().map(|c| c.retry(local_id)) {
            self.notice(e.to_string());
        }
    }

    /// Drops a message that has not gone out (aborting its upload).
    pub fn cancel(&self, local_id: u64) {
        if let Some(Err(e)) = self.conversation().map(|c| c.cancel(local_id)) {
            self.notice(e.to_string());
        }
    }

    /// Keeps pages of older messages coming, a few at a time, while there are more.
    pub fn load_older(&self) {
        let store = self.store;
        if !store.has_older.get_untracked()
            || self.older_in_flight.get_value() >= OLDER_IN_FLIGHT
            || self.conversation().is_none()
        {
            return;
        }
        self.older_in_flight.update_value(|n| *n += 1);
        store.loading_older.set(true);
        self.older_action.dispatch_local(());
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
                let bytes = match dom::read_file(&file).await {
                    Ok(bytes) => bytes,
                    Err(error) => {
                        handle.notice(error.to_string());
                        continue;
                    }
                };
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

    /// The message with `index` showed in the open panel. The read horizon follows after a
    /// short pause, once for a burst (the reducer decides what, if anything, to send).
    pub fn viewed(&self, index: u64) {
        self.store.apply(Event::Viewed(index));
        if self.horizon_scheduled.get_value() {
            return;
        }
        self.horizon_scheduled.set_value(true);
        let handle = *self;
        set_timeout(
            move || {
                if handle.horizon_scheduled.try_set_value(false).is_some() {
                    return; // The widget is gone.
                }
                let (Some(index), Some(conversation)) =
                    (handle.store.horizon_to_send(), handle.conversation())
                else {
                    return;
                };
                spawn_local(async move {
                    if let Err(error) = conversation.advance_read_horizon(index).await {
                        dom::warn(&format!("read horizon: {error}"));
                    }
                });
            },
            HORIZON_DEBOUNCE,
        );
    }

    /// An attachment is shown (or about to be opened): fetches a URL for it unless a fresh one
    /// is at hand or on its way. Called when it is rendered or hovered, not on a timer.
    pub fn media_url(&self, sid: &str) {
        let now = dom::now_millis();
        if self.store.media(sid).try_maybe_update(|l| {
            let fetch = l.wanted(now);
            (fetch, fetch)
        }) == Some(true)
        {
            self.fetch_media(sid);
        }
    }

    /// The visitor opens a download chip: `true` when its link holds a fresh URL and may be
    /// followed as it is; otherwise the file opens once a fresh URL arrives.
    pub fn open_file(&self, sid: &str, name: &str) -> bool {
        let now = dom::now_millis();
        let (fresh, fetch) = self
            .store
            .media(sid)
            .try_maybe_update(|l| {
                if l.open(now, name) {
                    return (false, (true, false));
                }
                let fetch = l.wanted(now);
                (fetch, (false, fetch))
            })
            .unwrap_or_default();
        if fetch {
            self.fetch_media(sid);
        }
        fresh
    }

    /// `url` of attachment `sid` failed to load (an `<img>` error: expired, or the network):
    /// one fresh URL is tried, then the attachment shows as not loaded.
    pub fn media_failed(&self, sid: &str, url: &str) {
        let failed = self.store.media(sid).try_maybe_update(|l| {
            let before = l.clone();
            let fetch = l.load_failed(url);
            // A late failure of a URL already replaced changes nothing: no view is woken.
            (*l != before, fetch)
        });
        if failed == Some(true) {
            self.fetch_media(sid);
        }
    }

    /// `url` of attachment `sid` loaded.
    pub fn media_loaded(&self, sid: &str, url: &str) {
        // Nothing shown changes: the views need not hear of it.
        self.store.media(sid).try_update_untracked(|l| l.loaded(url));
    }

    /// The visitor retries an attachment that could not be loaded.
    pub fn retry_media(&self, sid: &str) {
        if self.store.media(sid).try_maybe_update(|l| {
            let fetch = l.retry();
            (fetch, fetch)
        }) == Some(true)
        {
            self.fetch_media(sid);
        }
    }

    /// Asks the client for a temporary URL of `sid` (the link is marked as fetching).
    fn fetch_media(&self, sid: &str) {
        let store = self.store;
        let link = store.media(sid);
        let sid = sid.to_owned();
        let client = self.live.with_value(|l| l.as_ref().map(|l| l.client.clone()));
        spawn_local(async move {
            let result = match client {
                Some(client) => client.media_url(&sid).await.map_err(WidgetError::from),
                None => Err(WidgetError::NotConnected),
            };
            let now = dom::now_millis();
            let outcome = link.try_update(|l| match result {
                Ok(media) => Ok(l
                    .fetched(media.url.clone(), media.valid_for, now)
                    .map(|name| (media.url, name))),
                Err(error) => Err((l.fetch_failed(), error)),
            });
            match outcome {
                None => {} // The widget is gone.
                Some(Ok(Some((url, name)))) => dom::open_file(&url, &name),
                Some(Ok(None)) => {}
                Some(Err((waiting, error))) => {
                    dom::warn(&format!("attachment {sid}: {error}"));
                    // The visitor clicked it and is waiting: say so. Images say it themselves.
                    if let Some(name) = waiting {
                        notice(store, (store.locale.get_untracked().strings().media_failed)(&name));
                    }
                }
            }
        });
    }

    /// Loads the whole history, then offers it as a text file.
    pub fn download_transcript(&self) {
        let store = self.store;
        let Some(conversation) = self.conversation() else { return };
        spawn_local(async move {
            while conversation.load_older().await.unwrap_or(false) {}
            let people = store.people.get_untracked();
            let strings = store.locale.get_untracked().strings();
            let me = store.identity.get_untracked();
            let lines: Vec<String> = conversation
                .timeline()
                .get()
                .into_iter()
                .filter_map(|item| match item {
                    TimelineItem::Remote(m) => {
                        let who = people.display_name(me.as_deref(), &m.author, strings);
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
        self.start(Start::New(form));
    }

    /// "Retry now": reconnect at once, or start over when the chat was unavailable.
    pub fn retry_connection(&self) {
        match self.store.connection.get_untracked() {
            ConnectionState::Denied { .. } | ConnectionState::Terminated { .. } => {
                self.stop();
                self.store.apply(Event::Reset);
                self.open();
            }
            _ => {
                if let Some(live) = self.live.get_value() {
                    live.client.reconnect_now();
                }
            }
        }
    }

    /// Shows image `sid` full size (with a fresh URL).
    pub fn show_image(&self, sid: String, name: String) {
        self.media_url(&sid);
        self.store.lightbox.set(Some((sid, name)));
    }

    /// Closes the full-size image.
    pub fn close_image(&self) {
        self.store.lightbox.set(None);
    }
}
