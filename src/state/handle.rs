//! The commands components call. The handle owns the live session; components never see it.
//! What a command changes in the chat goes through the store's reducer ([`Store::apply`]);
//! what it asks of the client runs as a Leptos `Action` (or a task), and a failure becomes a
//! notice, never a silent drop.

use std::time::Duration;

use convo_client::{
    Attachment, ConnectionState, ConversationHandle, SessionTokenProvider, SortedMap, TimelineItem,
    UnsentMessage, OLDER_PAGE_SIZE,
};
use convo_wire::object;
use convo_wire::{
    json,
    prechat::{self, Problem},
};
use leptos::{prelude::*, task::spawn_local};
use serde_json::{Map, Value};

use super::{
    bridge::{self, Live, Start},
    chat::{Alerts, Event, Feedback, Phase},
    earlier::Thread,
    people::People,
    unsent, DraftFile, Reach, Store,
};
use crate::{
    config::{FieldKind, HostUser},
    dom,
    error::WidgetError,
    util::hours::Availability,
    util::validate::{self, FieldError, FileError},
    WidgetConfig,
};

/// How long the read horizon waits for the visitor to see more before it is sent: one RPC
/// for a burst of messages read, not one per message.
const HORIZON_DEBOUNCE: Duration = Duration::from_millis(500);
/// How long a changed draft waits before it is kept for a reload: one write for a burst of
/// keystrokes, not one per keystroke. (Hiding or leaving the page keeps it at once.)
const DRAFT_DELAY: Duration = Duration::from_millis(700);

/// What a refused form field says, in the visitor's language.
fn field_message(strings: &crate::i18n::Catalogue, error: FieldError) -> String {
    match error {
        FieldError::Required => strings.required.to_owned(),
        FieldError::Email => strings.invalid_email.to_owned(),
        FieldError::TooLong(n) => (strings.too_long)(n),
    }
}

/// Where the visitor's choice of desktop notifications is kept: beside the session, not under
/// it (`dom::clear_session` removes what is under it), so a chat ending does not take the
/// choice while the bell still shows it; `reset()` forgets it with the visitor.
fn alerts_key(storage_key: &str) -> String {
    format!("{storage_key}.alerts")
}

/// Where the greeting's dismissal is kept (session storage), beside the backend's session.
fn greeting_key(storage_key: &str) -> String {
    format!("{storage_key}:greeting-dismissed")
}

/// Empties the composer: the text and the files (their previews' object URLs released).
fn clear_draft(store: Store) {
    store.draft.set(String::new());
    store.files.with_untracked(|files| {
        files.iter().filter_map(|f| f.preview.as_deref()).for_each(dom::revoke);
    });
    store.files.set(Vec::new());
}

/// Tells the visitor (and the page, as an `error` event) that something failed.
fn notice(store: Store, text: String) {
    crate::api::emit("error", &object! { "message": text });
    store.notices.update(|n| {
        if !n.contains(&text) {
            n.push(text);
        }
    });
}

/// What the handle asks of the client or the backend, as one Leptos `Action`: one type of
/// action, not one per command (each is instantiated apart in the wasm; issue 15).
#[derive(Clone)]
enum Command {
    /// Sends the draft.
    Send { text: Option<String>, attachments: Vec<Attachment> },
    /// Loads a page of older messages.
    Older,
    /// Asks the backend to close the session's conversation.
    End(SessionTokenProvider),
    /// Stores the ended chat's rating.
    Rate { tokens: SessionTokenProvider, score: u8, comment: String },
}

/// What components can ask the widget to do.
#[derive(Clone, Copy)]
pub struct ChatHandle {
    store: Store,
    config: StoredValue<WidgetConfig>,
    live: StoredValue<Option<Live>>,
    next_file: StoredValue<u64>,
    /// What the handle asks of the client and the backend ([`Command`]), each dispatch its
    /// own run.
    commands: Action<Command, Result<(), WidgetError>>,
    horizon_scheduled: StoredValue<bool>,
    draft_scheduled: StoredValue<bool>,
    /// An edit is being saved (a second Enter does not save it twice).
    saving_edit: StoredValue<bool>,
    /// The greeting's delay, while it runs.
    greeting_timer: StoredValue<Option<TimeoutHandle>>,
    /// Business hours' next look at the clock, while they are the availability.
    hours_timer: StoredValue<Option<TimeoutHandle>>,
    /// The ended chat's session handle while the "leave a message" form replaces "Start a new
    /// chat" (support closed): the message starts the visitor's next conversation, as theirs.
    ended_session: StoredValue<Option<String>>,
}

impl ChatHandle {
    /// A handle over `store`.
    pub fn new(store: Store, config: WidgetConfig) -> Self {
        let live = StoredValue::new(None::<Live>);
        let conversation =
            move || live.with_value(|l: &Option<Live>| l.as_ref().and_then(Live::conversation));
        let config = StoredValue::new(config);
        let commands = Action::new_local(move |command: &Command| {
            let command = command.clone();
            let conversation = conversation();
            async move {
                match command {
                    Command::Send { text, attachments } => {
                        let conversation = conversation.ok_or(WidgetError::NotConnected)?;
                        match conversation.send(text, object! {}, attachments).await {
                            // The draft clears once the message is queued. Its request has left
                            // by then (an e2e test in chat.test.mjs holds this), so the
                            // composer's redraw does not delay the frame. Nothing comes between
                            // the Enter key and this (one turn), so nothing typed is lost.
                            Ok(_) => {
                                clear_draft(store);
                                Ok(())
                            }
                            // Nothing was queued: the draft stays as it was.
                            Err(error) => {
                                notice(store, error.to_string());
                                Err(WidgetError::from(error))
                            }
                        }
                    }
                    Command::Older => {
                        let loaded = match conversation {
                            Some(conversation) => {
                                conversation.load_older().await.map(drop).map_err(WidgetError::from)
                            }
                            None => Err(WidgetError::NotConnected),
                        };
                        store.older_pages.try_update(|n| *n = n.saturating_sub(1));
                        if let Err(error) = &loaded {
                            dom::warn(&format!("older messages: {error}"));
                        }
                        loaded
                    }
                    Command::End(tokens) => {
                        let url = config.with_value(|c| c.end_url.clone());
                        let ended = tokens.post_with_session(&url, Map::new()).await;
                        match &ended {
                            Ok(()) => store.apply(Event::EndedByVisitor),
                            Err(error) => {
                                dom::warn(&format!("end chat: {error}"));
                                let strings = store.locale.get_untracked().strings();
                                notice(store, strings.end_failed.to_owned());
                                store.apply(Event::EndFailed)
                            }
                        };
                        ended.map_err(WidgetError::from)
                    }
                    Command::Rate { tokens, score, comment } => {
                        let fields = Map::from_iter([
                            ("score".to_owned(), Value::from(score)),
                            ("comment".to_owned(), Value::from(comment)),
                        ]);
                        let url = config.with_value(|c| c.rating_url.clone());
                        let rated = tokens.post_with_session(&url, fields).await;
                        match &rated {
                            Ok(()) => store.apply(Event::Feedback(Feedback::Sent)),
                            Err(error) => {
                                dom::warn(&format!("rating: {error}"));
                                let strings = store.locale.get_untracked().strings();
                                notice(store, strings.rating_failed.to_owned());
                                store.apply(Event::Feedback(Feedback::Open))
                            }
                        };
                        rated.map_err(WidgetError::from)
                    }
                }
            }
        });
        ChatHandle {
            store,
            config,
            live,
            next_file: StoredValue::new(0),
            commands,
            horizon_scheduled: StoredValue::new(false),
            draft_scheduled: StoredValue::new(false),
            saving_edit: StoredValue::new(false),
            greeting_timer: StoredValue::new(None),
            hours_timer: StoredValue::new(None),
            ended_session: StoredValue::new(None),
        }
    }

    /// The handle provided by the enclosing [`crate::App`].
    #[track_caller]
    pub fn expect() -> Self {
        // Not `expect_context`: see `Store::expect`.
        use_context::<ChatHandle>().expect("the ChatHandle is provided by the App")
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
    /// visitor browses shows on the launcher: only while its chat is recently active
    /// ([`super::chat::resumes_at_load`]); otherwise it waits until the panel opens.
    pub fn resume_stored(&self) {
        if self.store.phase.get_untracked() != Phase::Idle {
            return;
        }
        let config = self.config();
        let key = config.storage_key();
        let within = u64::try_from(config.resume_within.as_millis()).unwrap_or(u64::MAX);
        if !super::chat::resumes_at_load(dom::load_activity(&key), dom::now_ms(), within) {
            return;
        }
        if let Some(session) = dom::load_session(&key) {
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
            // Opening the chat is activity: the next pages reconnect by themselves again.
            dom::save_activity(&config.storage_key(), dom::now_ms());
            self.start(Start::Stored(session));
        } else if config.availability == Availability::Agents && !config.inline {
            self.ask_agents();
        } else {
            self.offer_start();
        }
    }

    /// Asks the backend whether an agent is online, then offers the start: the pre-chat form
    /// (or the chat) if so, the "leave a message" form if not. The panel says "Starting…"
    /// meanwhile; a backend that cannot tell (or fails) leaves the chat open, as before.
    fn ask_agents(&self) {
        let handle = *self;
        let url = self.config().availability_url;
        spawn_local(async move {
            let online = match convo_client::platform::post_json(
                &url,
                &[],
                convo_client::platform::CredentialsMode::default(),
                "{}".to_owned(),
            )
            .await
            {
                Ok(response) if response.status == 200 => json::parse(&response.body)
                    .ok()
                    .map(|answer| answer["agents_online"].as_bool().unwrap_or(true)),
                Ok(response) => {
                    dom::warn(&format!("availability: the backend answered {}", response.status));
                    None
                }
                Err(error) => {
                    dom::warn(&format!("availability: {error}"));
                    None
                }
            };
            let store = handle.store;
            // The widget may be gone, or the visitor closed it, or the page changed its
            // availability meanwhile: then there is nothing to offer now.
            let still_asking = store.with_chat(|c| c.phase == Phase::Idle && c.open) == Some(true)
                && handle.config.try_with_value(|c| c.availability == Availability::Agents)
                    == Some(true);
            if still_asking {
                store.apply(Event::Availability(online.unwrap_or(true)));
                handle.offer_start();
            }
        });
    }

    /// With no session to resume: the "leave a message" form while support is closed, else
    /// the chat at once for a visitor the host knows or with no form configured, else the
    /// pre-chat form.
    fn offer_start(&self) {
        let store = self.store;
        let config = self.config();
        if !store.available.get_untracked() && !config.inline {
            // Nobody to chat with: the "leave a message" form takes the pre-chat form's place.
            if let Some(email) = config.user.as_ref().and_then(|u| u.email.clone()) {
                let value = store.form_value("email");
                if value.get_untracked().is_empty() {
                    value.set(email);
                }
            }
            store.apply(Event::PreChatShown);
        } else if let Some(user) = config.user.clone() {
            let mut form = Map::new();
            put_given(
                &mut form,
                [
                    ("identity", user.identity),
                    ("identity_signature", user.identity_signature),
                    ("name", user.name),
                    ("email", user.email),
                ],
            );
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
        for timer in [self.greeting_timer, self.hours_timer] {
            if let Some(Some(timer)) = timer.try_get_value() {
                timer.clear();
            }
        }
    }

    /// Whether support is open (`setAvailability`, `data-availability`): always, never, or by
    /// business hours, looked at again when they next open or close (one timer). Only which
    /// form a visitor with no chat sees depends on it; a form on screen is swapped, keeping
    /// what was typed in the fields both forms have.
    pub fn set_availability(&self, availability: Availability) {
        if let Some(timer) = self.hours_timer.get_value() {
            timer.clear();
        }
        self.hours_timer.set_value(None);
        self.config.update_value(|c| c.availability = availability.clone());
        let available = match &availability {
            // Until the backend is asked (when the visitor opens the chat), as before.
            Availability::Open | Availability::Agents => true,
            Availability::Closed => false,
            Availability::Hours(hours) => match dom::zoned_now(hours.time_zone.as_deref()) {
                Ok((weekday, minute, second)) => {
                    // At most an hour between looks: a clock change (DST) or a sleeping
                    // laptop cannot leave it wrong for long.
                    let minutes = hours.minutes_to_change(weekday, minute).min(60);
                    let wait = Duration::from_secs(u64::from(minutes * 60 - second.min(59)));
                    let handle = *self;
                    let look_again = move || {
                        // The widget may be gone (its timer is cleared then; never trust a race).
                        if let Some(availability) =
                            handle.config.try_with_value(|c| c.availability.clone())
                        {
                            handle.set_availability(availability);
                        }
                    };
                    if let Ok(timer) = set_timeout_with_handle(look_again, wait) {
                        self.hours_timer.set_value(Some(timer));
                    }
                    hours.open_at(weekday, minute)
                }
                Err(error) => {
                    // Checked when the page set it; a browser that changed its mind opens.
                    dom::warn(&error);
                    true
                }
            },
        };
        let store = self.store;
        if store.available.get_untracked() != available {
            // The other form's messages would sit under fields that may not be there.
            store.form_errors.set(SortedMap::new());
        }
        store.apply(Event::Availability(available));
        // Opening with no pre-chat form to show (none configured, or the host knows the
        // visitor) starts the chat as opening the panel would.
        let config = self.config();
        if available
            && store.phase.get_untracked() == Phase::PreChat
            && (config.prechat.is_empty() || config.user.is_some())
        {
            let open = store.open.get_untracked();
            store.apply(Event::Reset);
            if open {
                self.open();
            }
        }
    }

    /// Whether the page offers desktop notifications (`notifications: true`) and the browser
    /// has them.
    pub fn alerts_offered(&self) -> bool {
        self.config().notifications && dom::notifications_supported()
    }

    /// The visitor's earlier choice of desktop notifications, at load: on again only if the
    /// browser still allows them (never asks: that waits for the visitor's click).
    pub fn restore_alerts(&self) {
        let key = alerts_key(&self.config().storage_key());
        if self.alerts_offered() && dom::load_json(&key).is_some() {
            if dom::notifications_allowed() {
                self.store.apply(Event::Alerts(Alerts::On));
            } else {
                dom::remove_item(&key);
            }
        }
    }

    /// The visitor turned desktop notifications on (the browser is asked now, on their click)
    /// or off. The choice is kept with the session for the visitor's next pages.
    pub fn set_alerts(&self, on: bool) {
        let store = self.store;
        let key = alerts_key(&self.config().storage_key());
        if !on {
            dom::remove_item(&key);
            store.apply(Event::Alerts(Alerts::Off));
            return;
        }
        spawn_local(async move {
            let alerts = if dom::ask_notifications().await { Alerts::On } else { Alerts::Blocked };
            if alerts == Alerts::On {
                dom::save_json(&key, &Value::Bool(true));
            }
            // The widget may have gone while the browser asked.
            if store.with_chat(|_| ()).is_some() {
                store.apply(Event::Alerts(alerts));
            }
        });
    }

    /// The page's proactive greeting (`greet(text, { delay })`): it shows beside the closed
    /// launcher once `delay` has passed, replacing any earlier one. Nothing is asked of the
    /// backend: a session starts only when the visitor answers. Not for a visitor who
    /// dismissed a greeting in this browser session, nor one with a stored session.
    pub fn greet(&self, text: String, delay: Duration) {
        let key = self.config().storage_key();
        if dom::session_flag(&greeting_key(&key)) {
            self.store.apply(Event::GreetingDismissed);
        }
        if let Some(timer) = self.greeting_timer.get_value() {
            timer.clear();
        }
        self.greeting_timer.set_value(None);
        self.store.apply(Event::Greet { text, stored: dom::load_session(&key).is_some() });
        let store = self.store;
        let due = move || {
            // The widget may be gone (its timer is cleared then, but never trust a race).
            if store.with_chat(|_| ()).is_some() {
                store.apply(Event::GreetingDue);
            }
        };
        if delay.is_zero() {
            due();
        } else if let Ok(timer) = set_timeout_with_handle(due, delay) {
            self.greeting_timer.set_value(Some(timer));
        } else {
            due();
        }
    }

    /// The visitor dismissed the greeting: not shown again in this browser session (reloads
    /// and other pages of the site included).
    pub fn dismiss_greeting(&self) {
        dom::set_session_flag(&greeting_key(&self.config().storage_key()));
        self.store.apply(Event::GreetingDismissed);
    }

    /// Opens a closed panel, closes an open one.
    pub fn toggle(&self) {
        if self.store.open.get_untracked() {
            self.close();
        } else {
            self.open();
        }
    }

    /// What every new session carries besides `form`: the locale, the page the visitor is on
    /// (for the agent), and the host's attributes.
    fn new_session_form(&self, mut form: Map<String, Value>) -> Map<String, Value> {
        form.insert("locale".to_owned(), self.store.locale.get_untracked().tag().into());
        let (url, title) = validate::page(&dom::page_url(), &dom::title());
        if let Some(url) = url {
            form.insert("page_url".to_owned(), url.into());
        }
        if let Some(title) = title {
            form.insert("page_title".to_owned(), title.into());
        }
        let attributes = self.config.with_value(|c| c.attributes.clone());
        if !attributes.is_empty() {
            form.insert("attributes".to_owned(), Value::Object(attributes));
        }
        // After an ended chat (support was closed, so a form came first), the same visitor's
        // next conversation.
        if let Some(session) = self.ended_session.get_value() {
            form.insert("session".to_owned(), session.into());
            form.insert("new_conversation".to_owned(), true.into());
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
        let key = self.config().storage_key();
        dom::clear_session(&key);
        dom::remove_item(&alerts_key(&key));
        self.store.notices.set(Vec::new());
        // What the last visitor typed in the form is theirs: not shown to whoever comes next.
        self.store.form_kept.set(None);
        self.store.form_refused.set(None);
        self.store.clear_form();
        self.ended_session.set_value(None);
        self.store.apply(Event::Reset);
        self.config.update_value(|c| c.user = None);
    }

    fn start(&self, start: Start) {
        self.ended_session.set_value(None);
        self.stop();
        self.store.apply(Event::Starting);
        let mut kept = Vec::new();
        // A returning visitor sees their last page at once; the connection revalidates it.
        if let Start::Stored(session) = &start {
            let key = super::cache::key(&self.config().storage_key(), &session.conversation_sid);
            if let Some(page) = dom::load_json(&key) {
                self.store.apply_all(super::cache::events(&page));
            }
            kept = self.restore_kept(&session.conversation_sid);
        }
        let conversation = match &start {
            Start::Stored(session) => Some(session.conversation_sid.clone()),
            Start::New(_) => None,
        };
        let this = *self;
        let live = bridge::connect(self.store, &self.config(), start, move |code, reason| {
            if code == 400 {
                this.form_refused(&reason);
            } else {
                this.start_over(code);
            }
        });
        if let Some(sid) = conversation.filter(|_| !kept.is_empty()) {
            self.send_again(live.client.conversation(&sid), kept);
        }
        self.live.set_value(Some(live));
    }

    /// Gives back what the visitor wrote in this conversation before the page reloaded (or the
    /// session restarted): the draft to the composer, and the unsent messages, returned to be
    /// sent again. Attachments' bytes are not kept: a notice names the files to attach again,
    /// rather than letting them go silently.
    fn restore_kept(&self, conversation: &str) -> Vec<UnsentMessage> {
        let store = self.store;
        let storage_key = self.config().storage_key();
        let draft_key = unsent::draft_key(&storage_key, conversation);
        let outbox_key = unsent::outbox_key(&storage_key, conversation);
        let restored = unsent::restorable(
            dom::load_json(&outbox_key).map(|v| unsent::outbox_from(&v)).unwrap_or_default(),
        );
        // A draft still in the composer (the session restarted in the same page) is newer
        // than the kept one, and its files are still here.
        let (draft, mut lost) = if store.draft.with_untracked(|d| d.trim().is_empty()) {
            dom::load_json(&draft_key).map(|v| unsent::draft_from(&v)).unwrap_or_default()
        } else {
            (store.draft.get_untracked(), Vec::new())
        };
        let text = unsent::draft_with(&restored.texts, &draft);
        if store.draft.with_untracked(|d| *d != text) {
            store.draft.set(text.clone());
        }
        lost.extend(restored.lost_files);
        if !lost.is_empty() {
            let strings = store.locale.get_untracked().strings();
            self.notice((strings.files_not_kept)(&lost.join(", ")));
        }
        // What went back to the composer is kept as the draft from now on, and the files are
        // told about once.
        let files: Vec<String> =
            store.files.with_untracked(|f| f.iter().map(|f| f.name.clone()).collect());
        dom::keep_json(&draft_key, unsent::draft_json(&text, &files).as_ref());
        if !restored.texts.is_empty() || !lost.is_empty() {
            dom::keep_json(&outbox_key, unsent::outbox_json(&restored.messages).as_ref());
        }
        restored.messages
    }

    /// Queues kept messages again in the new client, under their own idempotency keys. Kept
    /// data the client refuses (a limit broken) is not lost either: its text goes back to the
    /// composer, and it is no longer kept as messages.
    fn send_again(&self, conversation: ConversationHandle, messages: Vec<UnsentMessage>) {
        let handle = *self;
        let outbox_key = unsent::outbox_key(&self.config().storage_key(), conversation.sid());
        spawn_local(async move {
            let Err(error @ convo_client::Error::Invalid(_)) =
                conversation.restore(messages.clone()).await
            else {
                // Queued; or the client is gone, and the messages stay kept for the next one.
                return;
            };
            let texts: Vec<String> = messages.into_iter().filter_map(|m| m.body).collect();
            if handle.store.draft.try_update(|d| *d = unsent::draft_with(&texts, d)).is_none() {
                return; // The widget is gone.
            }
            handle.draft_changed();
            dom::remove_item(&outbox_key);
            handle.notice(error.to_string());
        });
    }

    /// The draft changed: it is kept for a reload a moment later, once for a burst of changes.
    fn draft_changed(&self) {
        if self.draft_scheduled.get_value() {
            return;
        }
        self.draft_scheduled.set_value(true);
        let handle = *self;
        set_timeout(
            move || {
                if handle.draft_scheduled.try_set_value(false).is_some() {
                    return; // The widget is gone.
                }
                bridge::save_draft(handle.store, &handle.config().storage_key());
            },
            DRAFT_DELAY,
        );
    }

    /// The backend refused the stored session (expired, no longer valid, or its conversation
    /// closed; the bridge has forgotten it): back to the start, saying why, so the visitor is
    /// never moved silently into a new conversation. An open panel offers the start at once.
    fn start_over(&self, code: u32) {
        let store = self.store;
        if store.phase.get_untracked() == Phase::Ended {
            return;
        }
        let open = store.open.get_untracked();
        self.stop();
        store.apply(Event::Reset);
        let strings = store.locale.get_untracked().strings();
        self.notice(
            if code == 409 { strings.previous_ended } else { strings.previous_expired }.to_owned(),
        );
        if open {
            self.open();
        }
    }

    /// The backend refused the session the pre-chat form asked for (an answer it does not
    /// accept, e.g. a field it requires that this page does not declare): the form again, with
    /// the visitor's answers and the backend's reason.
    fn form_refused(&self, reason: &str) {
        let store = self.store;
        self.stop();
        store.apply(Event::FormRefused);
        let reason = reason.strip_prefix("HTTP 400: ").unwrap_or(reason);
        let strings = store.locale.get_untracked().strings();
        dom::warn(&format!("the backend refused the pre-chat form: {reason}"));
        store.form_refused.set(Some((strings.form_refused)(reason)));
    }

    fn stop(&self) {
        if let Some(live) = self.live.get_value() {
            live.shutdown();
        }
        self.live.set_value(None);
        self.store.apply(Event::Detached);
    }

    /// Validates the pre-chat form (the built-in fields' `values`, the custom fields' `answers`
    /// by id) and starts the chat.
    pub fn submit_prechat(&self, values: Vec<(FieldKind, String)>, answers: Map<String, Value>) {
        let store = self.store;
        let strings = store.locale.get_untracked().strings();
        store.form_refused.set(None);
        store.form_kept.set(Some(answers.clone()));
        let message = |error| field_message(strings, error);
        let mut errors = SortedMap::new();
        let mut form = Map::new();
        for field in self.config().prechat {
            let value = values
                .iter()
                .find(|(kind, _)| *kind == field.kind)
                .map(|(_, value)| value.clone())
                .unwrap_or_default();
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
                    errors.insert(key.to_owned(), message(e));
                }
            }
        }
        let (mut kept, mut labels, mut field_errors) = (Map::new(), Map::new(), SortedMap::new());
        for field in self.config().custom_fields {
            match prechat::check(&field, answers.get(&field.id)) {
                Ok(Some(value)) => {
                    kept.insert(field.id.clone(), value);
                    labels.insert(field.id, field.label.into());
                }
                Ok(None) => {}
                Err(problem) => {
                    let text = match problem {
                        Problem::Required if field.kind == prechat::Kind::Consent => {
                            strings.consent_required.to_owned()
                        }
                        Problem::Required | Problem::WrongType => strings.required.to_owned(),
                        Problem::Email => strings.invalid_email.to_owned(),
                        Problem::Phone => strings.invalid_phone.to_owned(),
                        Problem::NotAnOption => strings.not_an_option.to_owned(),
                        Problem::TooLong(n) => (strings.too_long)(n),
                    };
                    field_errors.insert(field.id, text);
                }
            }
        }
        if !kept.is_empty() {
            form.insert("fields".to_owned(), Value::Object(kept));
            form.insert("field_labels".to_owned(), Value::Object(labels));
        }
        let valid = errors.is_empty() && field_errors.is_empty();
        store.form_errors.set(errors);
        store.field_errors.set(field_errors);
        // The fields keep what was typed until a session is attached: a refusal loses nothing.
        if valid {
            self.start(Start::New(self.new_session_form(form)));
        }
    }

    /// Validates the "leave a message" form (the email to answer at and the message, both
    /// required; the name if given) and starts a conversation marked offline, the message as
    /// its first message. The chat then says where the answer will go, and goes on as usual.
    pub fn submit_offline(&self) {
        let store = self.store;
        let strings = store.locale.get_untracked().strings();
        let message = |error| field_message(strings, error);
        let value = |key| store.form_value(key).get_untracked().trim().to_owned();
        let (name, email, text) = (value("name"), value("email"), value("question"));
        let mut errors = SortedMap::new();
        for (key, result) in [
            ("name", validate::name(&name, false)),
            ("email", validate::email(&email, true)),
            ("question", validate::text(&text, true, convo_client::limits::BODY_BYTES)),
        ] {
            if let Err(error) = result {
                errors.insert(key.to_owned(), message(error));
            }
        }
        let valid = errors.is_empty();
        store.form_errors.set(errors);
        if !valid {
            return;
        }
        let mut form = Map::new();
        form.insert("offline".to_owned(), true.into());
        form.insert("email".to_owned(), email.clone().into());
        form.insert("question".to_owned(), text.into());
        if !name.is_empty() {
            form.insert("name".to_owned(), name.into());
        }
        // A visitor the host knows leaves the message as themselves.
        if let Some(user) = self.config().user {
            put_given(
                &mut form,
                [("identity", user.identity), ("identity_signature", user.identity_signature)],
            );
        }
        // The fields keep the message until a session is attached: a refusal loses nothing.
        self.start(Start::New(self.new_session_form(form)));
        store.apply(Event::MessageLeft(email));
    }

    /// Sends the draft (text and attached files).
    pub fn send(&self) {
        let store = self.store;
        let body = store.draft.get_untracked();
        let files = store.files.get_untracked();
        // Nothing goes into a conversation that has ended (the agent desk keeps its composer,
        // read-only, once the conversation is resolved).
        if (body.trim().is_empty() && files.is_empty())
            || store.phase.get_untracked() != Phase::Chat
        {
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
        // Recorded once the message has gone: storage is slow (a read and a write, about half
        // a millisecond), and the frame need not wait for it.
        let (key, at) = (self.config().storage_key(), dom::now_ms());
        set_timeout(move || dom::save_activity(&key, at), Duration::ZERO);
        self.commands.dispatch_local(Command::Send { text, attachments });
        // Kept for a reload once cleared (the send clears it in this turn).
        self.draft_changed();
    }

    /// Starts editing the message of row `key`, or (`None`) the visitor's newest one: the
    /// composer shows its text. Whether it started.
    pub fn start_edit(&self, key: Option<u64>) -> bool {
        let store = self.store;
        store.apply(Event::Edit(key));
        let Some(editing) = store.editing.get_untracked() else { return false };
        if key.is_none_or(|k| k == editing.key) {
            store.edit_text.set(editing.body);
        }
        true
    }

    /// Leaves the edit unsaved; the draft is back.
    pub fn cancel_edit(&self) {
        self.store.apply(Event::EditEnd);
        self.store.edit_text.set(String::new());
    }

    /// Saves the edit. Unchanged text just ends it; no text is not an edit (deleting is).
    pub fn save_edit(&self) {
        let store = self.store;
        let Some(editing) = store.editing.get_untracked() else { return };
        let text = store.edit_text.get_untracked();
        if text.trim().is_empty() {
            notice(store, store.locale.get_untracked().strings().edit_empty.to_owned());
        } else if text == editing.body {
            self.cancel_edit();
        } else if !self.saving_edit.get_value() {
            let Some(conversation) = self.conversation() else { return };
            self.saving_edit.set_value(true);
            let saving = self.saving_edit;
            spawn_local(async move {
                let saved = conversation.update_message(&editing.sid, &text).await;
                if saving.try_set_value(false).is_some() {
                    return; // The widget is gone.
                }
                match saved {
                    // The new text arrives through the client like any update; the composer
                    // goes back to the draft unless the visitor already moved on.
                    Ok(()) => {
                        if store.editing.get_untracked().is_some_and(|e| e.sid == editing.sid) {
                            store.apply(Event::EditEnd);
                            store.edit_text.set(String::new());
                        }
                    }
                    // Still editing, the text as the visitor left it.
                    Err(error) => {
                        dom::warn(&format!("edit {}: {error}", editing.sid));
                        let strings = store.locale.get_untracked().strings();
                        notice(store, format!("{} ({error})", strings.edit_failed));
                    }
                }
            });
        }
    }

    /// Asks "Delete this message?" about the message of row `key`, or (`None`) no longer.
    pub fn ask_delete(&self, key: Option<u64>) {
        self.store.apply(Event::AskDelete(key));
    }

    /// Deletes the message the visitor confirmed; its row becomes a placeholder when the
    /// removal comes back from the server.
    pub fn delete_message(&self) {
        let store = self.store;
        let Some(message) = store.asking_delete.get_untracked() else { return };
        store.apply(Event::AskDelete(None));
        if store.editing.get_untracked().is_some_and(|e| e.key == message.key) {
            self.cancel_edit();
        }
        let Some(conversation) = self.conversation() else { return };
        spawn_local(async move {
            if let Err(error) = conversation.remove_message(&message.sid).await {
                dom::warn(&format!("delete {}: {error}", message.sid));
                let strings = store.locale.get_untracked().strings();
                notice(store, format!("{} ({error})", strings.delete_failed));
            }
        });
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

    /// Asks for the pages of older messages the list's `reach` wants above its window, while
    /// there are more.
    pub fn load_older(&self, reach: Reach) {
        let store = self.store;
        if !store.has_older.get_untracked() || self.conversation().is_none() {
            return;
        }
        let in_flight = store.older_pages.get_untracked();
        let asked =
            reach.pages_to_ask(store.window_start.get_untracked(), in_flight, OLDER_PAGE_SIZE);
        if asked == 0 {
            return;
        }
        store.older_pages.set(in_flight + asked);
        for _ in 0..asked {
            self.commands.dispatch_local(Command::Older);
        }
    }

    /// The visitor is typing (the draft changed).
    pub fn typing(&self) {
        self.draft_changed();
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
                handle.draft_changed();
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
        self.draft_changed();
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
        let now = dom::now_ms();
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
        let now = dom::now_ms();
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
            let now = dom::now_ms();
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

    /// The live session's tokens (and handle), once started.
    fn tokens(&self) -> Option<SessionTokenProvider> {
        self.live.with_value(|l| l.as_ref().map(|l| l.tokens.clone()))
    }

    /// "End chat", once the visitor has confirmed: the backend closes the conversation (a
    /// visitor's role may not), and the ended view follows.
    pub fn end_chat(&self) {
        let store = self.store;
        if store.phase.get_untracked() != Phase::Chat || store.ending.get_untracked() {
            return;
        }
        let Some(tokens) = self.tokens() else { return };
        store.apply(Event::Ending);
        self.commands.dispatch_local(Command::End(tokens));
    }

    /// Sends the ended chat's rating (1–5) and optional comment.
    pub fn rate(&self, score: u8, comment: String) {
        let store = self.store;
        if store.feedback.get_untracked() != Feedback::Open || !(1..=5).contains(&score) {
            return;
        }
        let Some(tokens) = self.tokens() else { return };
        store.apply(Event::Feedback(Feedback::Sending));
        self.commands.dispatch_local(Command::Rate {
            tokens,
            score,
            comment: comment.trim().to_owned(),
        });
    }

    /// Shows the visitor's earlier conversations above this one. The client holds them already
    /// (every joined conversation loads with its newest page), so this only reads them.
    pub fn show_earlier(&self) {
        let Some(live) = self.live.get_value() else { return };
        let threads = self
            .store
            .earlier
            .get_untracked()
            .into_iter()
            .map(|sid| {
                let conversation = live.client.conversation(&sid);
                let messages = conversation
                    .timeline()
                    .get()
                    .into_iter()
                    .filter_map(|item| match item {
                        TimelineItem::Remote(message) => Some(message),
                        TimelineItem::Pending(_) => None,
                    })
                    .collect();
                let attributes = conversation.info().get().map(|i| i.attributes);
                let people = People::new(conversation.participants().get(), attributes.as_ref());
                Thread { sid, messages, people: std::sync::Arc::new(people) }
            })
            .collect();
        self.store.apply(Event::Threads(threads));
    }

    /// Starts a new conversation after the last one ended (same visitor).
    pub fn start_new(&self) {
        let previous = self.live.with_value(|l| l.as_ref().and_then(|l| l.tokens.session().get()));
        let mut form = self.new_session_form(Map::new());
        if let Some(previous) = &previous {
            form.insert("session".to_owned(), previous.session.clone().into());
            form.insert("new_conversation".to_owned(), true.into());
        }
        dom::clear_session(&self.config().storage_key());
        if !self.store.available.get_untracked() {
            // Support is closed: the "leave a message" form, as for a first visit.
            self.stop();
            self.store.apply(Event::Reset);
            self.open();
            self.ended_session.set_value(previous.map(|p| p.session));
            return;
        }
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

/// Adds to a session's form the fields that have a value.
fn put_given(
    form: &mut Map<String, Value>,
    fields: impl IntoIterator<Item = (&'static str, Option<String>)>,
) {
    for (key, value) in fields {
        if let Some(value) = value {
            form.insert(key.to_owned(), value.into());
        }
    }
}
