//! The only place that talks to `convo-client`'s streams: one loop per session turns
//! everything the client publishes into [`Event`]s and applies them to the store, coalescing
//! what is ready at once into one update (a page of history, a reconnect's catch-up). It also
//! keeps the stored session and what the visitor wrote that the server does not have yet (the
//! unsent messages, the draft), and installs the widget-wide listeners (page visibility, the
//! visual viewport, the title), each removed when the widget goes. The demo's agent desk has a
//! loop of its own here too, over every conversation the agent has joined.

use std::{sync::Arc, time::Duration};

use convo_client::{
    Client, ClientConfig, ConnectionState, ConversationHandle, Message, SessionInfo,
    SessionTokenProvider, UnsentMessage,
};
use convo_wire::object;
use futures_util::{
    future::{AbortHandle, Abortable},
    stream::{LocalBoxStream, SelectAll},
    FutureExt, StreamExt,
};
use leptos::{prelude::*, task::spawn_local};
use serde_json::{Map, Value};
use wasm_bindgen::{closure::Closure, JsCast};

use super::{
    chat::{Event, Phase},
    unsent, Store,
};
use crate::effect::effect;
use crate::{dom, WidgetConfig};

/// A live session: the client and, once known, the conversation.
#[derive(Debug, Clone)]
pub struct Live {
    pub client: Client,
    pub tokens: SessionTokenProvider,
    /// Filled in by the loop; shared plainly (not a reactive value) because the session
    /// outlives whatever reactive owner was current when it started.
    pub conversation: Arc<std::sync::Mutex<Option<ConversationHandle>>>,
    /// Ends the loop.
    stop: AbortHandle,
}

impl Live {
    /// The conversation, once the session names it.
    pub fn conversation(&self) -> Option<ConversationHandle> {
        self.conversation.lock().ok().and_then(|c| c.clone())
    }

    /// Disconnects and ends the loop.
    pub fn shutdown(&self) {
        self.stop.abort();
        self.client.shutdown();
    }
}

/// How to start: a fresh session with these form fields, or a stored one.
#[derive(Debug, Clone)]
pub enum Start {
    /// `POST /api/session` with these fields.
    New(Map<String, Value>),
    /// Refresh the token of a stored session.
    Stored(SessionInfo),
}

/// What the client published.
enum Update {
    State(ConnectionState),
    Identity(Option<String>),
    Session(SessionInfo),
    /// The conversation's unsent messages.
    Unsent(Vec<UnsentMessage>),
    Chat(Event),
}

/// Starts a client for `start` and the loop that feeds `store` from it. `refused` is called
/// (on a later turn) with the HTTP status and the refusal when the backend refuses a stored
/// session: expired or no longer valid (401), or its conversation closed (409) — the session is
/// forgotten by then — or refuses a new one as a bad request (400: an answer of the pre-chat
/// form it does not accept).
pub fn connect(
    store: Store,
    config: &WidgetConfig,
    start: Start,
    refused: impl Fn(u32, String) + 'static,
) -> Live {
    let resumed = matches!(start, Start::Stored(_));
    let origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
    let tokens = SessionTokenProvider::new(config.session_url.clone(), config.token_url.clone());
    let tokens = match start {
        Start::New(form) => tokens.form(form),
        Start::Stored(session) => tokens.with_session(session),
    };
    let twilsock_url = config.absolute_twilsock_url(&origin);
    let client_config = if config.twilsock_url_set {
        ClientConfig::new(twilsock_url)
    } else {
        ClientConfig::following_tokens(twilsock_url)
    };
    let client = Client::connect(client_config, Arc::new(tokens.clone()));
    let (stop, registration) = AbortHandle::new_pair();
    let live = Live { client, tokens, conversation: Arc::default(), stop };
    let run = run(store, live.clone(), config.storage_key(), resumed, refused);
    spawn_local(Abortable::new(run, registration).map(drop));
    live
}

async fn run(
    store: Store,
    live: Live,
    storage_key: String,
    resumed: bool,
    refused: impl Fn(u32, String) + 'static,
) {
    let mut updates: SelectAll<LocalBoxStream<'static, Update>> = SelectAll::new();
    updates.push(live.client.subscribe_state().map(Update::State).boxed_local());
    updates.push(live.client.identity().subscribe().map(Update::Identity).boxed_local());
    // Every message changes the list's infos; only a change of which ones ended matters here.
    let mut ended = None;
    updates.push(
        live.client
            .conversations()
            .subscribe()
            .filter_map(move |all| {
                let now = super::earlier::ended_others(&all, None);
                let changed = ended.as_ref() != Some(&now);
                ended = Some(now.clone());
                async move { changed.then_some(Update::Chat(Event::EndedConversations(now))) }
            })
            .boxed_local(),
    );
    updates.push(
        live.tokens
            .session()
            .subscribe()
            .filter_map(|s| async move { s.map(Update::Session) })
            .boxed_local(),
    );
    let mut attached: Option<String> = None;
    let mut forgotten = false;
    // The keys of the unsent messages this page last kept.
    let mut written: Vec<String> = Vec::new();
    while let Some(first) = updates.next().await {
        let mut batch = vec![first];
        // Everything else already waiting goes into the same update.
        while let Some(Some(more)) = updates.next().now_or_never() {
            batch.push(more);
        }
        // The visitor's own message shows once its frame is on the wire: the send runs in
        // tasks queued behind this one, so the echo waits for the next turn of the event loop.
        if batch.iter().any(is_local_echo) {
            convo_client::platform::sleep(Duration::ZERO).await;
            while let Some(Some(more)) = updates.next().now_or_never() {
                batch.push(more);
            }
        }
        let mut events = Vec::with_capacity(batch.len());
        for update in batch {
            match update {
                Update::State(state) => {
                    if let ConnectionState::Denied { code, reason } = &state {
                        let stale = matches!(code, 401 | 409);
                        if stale {
                            // The stored session is no longer valid (an expired handle, a
                            // deleted conversation) or its conversation is closed: forget it so
                            // the next open starts afresh, never silently into another chat.
                            dom::clear_session(&storage_key);
                        }
                        // A new session refused as a bad request goes back to the form (the
                        // visitor can correct an answer), not to "unavailable".
                        if (resumed && stale) || (!resumed && *code == 400) {
                            // The handle starts over, which ends this loop: not from inside it.
                            let (code, reason) = (*code, reason.clone());
                            convo_client::platform::sleep(Duration::ZERO).await;
                            refused(code, reason);
                            return;
                        }
                    }
                    let countdown = match &state {
                        ConnectionState::Reconnecting { retry_in, .. } => {
                            Some(crate::i18n::seconds(*retry_in))
                        }
                        _ => None,
                    };
                    if store.countdown.try_set(countdown).is_some() {
                        return; // The widget is gone.
                    }
                    events.push(Event::Connection(state));
                }
                Update::Identity(identity) => events.push(Event::Identity(identity)),
                Update::Session(session) => {
                    dom::save_session(&storage_key, &session);
                    if attached.as_deref() == Some(session.conversation_sid.as_str()) {
                        continue;
                    }
                    // A chat starting or resumed is active: the next pages reconnect to it.
                    dom::save_activity(&storage_key, dom::now_ms());
                    attached = Some(session.conversation_sid.clone());
                    // The forms' answers went with the session, which is accepted: they go
                    // now (kept until here only to be given back on a refusal).
                    store.form_kept.try_set(None);
                    store.clear_form();
                    let conversation = live.client.conversation(&session.conversation_sid);
                    if let Ok(mut slot) = live.conversation.lock() {
                        *slot = Some(conversation.clone());
                    }
                    crate::api::emit(
                        "conversation-started",
                        &object! { "conversationSid": session.conversation_sid },
                    );
                    let (snapshot, diffs) = conversation.timeline().subscribe();
                    events.push(Event::Timeline(convo_client::VectorDiff::Reset {
                        values: snapshot,
                    }));
                    watch(&mut updates, &conversation, diffs);
                    updates
                        .push(conversation.unsent().subscribe().map(Update::Unsent).boxed_local());
                    events.push(Event::Attached);
                }
                Update::Unsent(now) => {
                    if let Some(sid) = &attached {
                        keep_unsent(&storage_key, sid, &mut written, &now);
                    }
                }
                Update::Chat(event) => events.push(event),
            }
        }
        if store.rows.is_disposed() {
            return;
        }
        let sid = attached.clone().unwrap_or_default();
        let outcome = store.apply_all(events);
        if !outcome.arrived.is_empty() || outcome.notify.is_some() {
            // The view's effects, woken above, run first (a tick resumes after the tasks
            // already woken): messages show before the page's events and notifications about
            // them are made.
            leptos::task::tick().await;
            if store.rows.is_disposed() {
                return;
            }
        }
        if let Some(message) = &outcome.notify {
            notify(store, message);
        }
        for message in outcome.arrived {
            crate::api::emit("message", &crate::api::message_detail(&message, &sid));
        }
        // An ended chat is not resumed by the next page: it would connect (a billed active
        // user) only to show that it ended. The live session stays for the ended view.
        if !forgotten && store.phase.get_untracked() == Phase::Ended {
            forgotten = true;
            dom::clear_session(&storage_key);
        }
    }
}

/// A desktop notification of someone else's message, which the reducer found due: their
/// name and what they wrote. Clicking it opens the panel on it.
fn notify(store: Store, message: &Message) {
    let strings = store.locale.get_untracked().strings();
    let Some(title) = store
        .with_chat(|chat| chat.people.display_name(chat.me.as_deref(), &message.author, strings))
    else {
        return;
    };
    dom::notify(&title, &super::chat::preview(message), move || {
        if store.with_chat(|_| ()).is_some() {
            store.apply(Event::Opened);
        }
    });
}

/// Keeps the visitor's last page for their next visit (`cache.rs`), and the time of its
/// newest message as the chat's last activity (the next page reconnects by itself only to a
/// recently active chat). Written as the page is left or hidden, not while chatting: no work
/// per message, and a page that is closed any other way keeps an older page, which the next
/// visit revalidates anyway.
fn save_page(store: Store, storage_key: &str) {
    // A session forgotten meanwhile keeps nothing.
    if dom::load_session(storage_key).is_none() {
        return;
    }
    let newest = store.with_chat(|chat| {
        chat.timeline.entries().iter().rev().find_map(|e| match &e.item {
            convo_client::TimelineItem::Remote(m) => dom::parse_ms(&m.date_created),
            convo_client::TimelineItem::Pending(_) => None,
        })
    });
    if let Some(Some(at)) = newest {
        dom::save_activity(storage_key, at);
    }
    // `None`: the widget is gone or has no conversation.
    let page = store.with_chat(|chat| {
        let sid = chat.info.as_ref()?.sid.clone();
        Some((super::cache::key(storage_key, &sid), super::cache::snapshot(chat)?))
    });
    if let Some(Some((key, page))) = page {
        dom::save_json(&key, &page);
    }
}

/// Keeps this page's unsent messages for a reload (`unsent.rs`), beside those the visitor's
/// other tabs keep there. Written as they change — a message queued, failed, or confirmed by
/// the server — so a page closed any way at all, even without `pagehide`, loses none.
fn keep_unsent(
    storage_key: &str,
    conversation: &str,
    written: &mut Vec<String>,
    now: &[UnsentMessage],
) {
    if now.is_empty() && written.is_empty() {
        return;
    }
    // A session forgotten meanwhile keeps nothing.
    if dom::load_session(storage_key).is_none() {
        return;
    }
    let key = unsent::outbox_key(storage_key, conversation);
    let stored = dom::load_json(&key).map(|v| unsent::outbox_from(&v)).unwrap_or_default();
    let kept = unsent::merge(stored, written, now);
    dom::keep_json(&key, unsent::outbox_json(&kept).as_ref());
    *written = now.iter().map(|m| m.idempotency_key.clone()).collect();
}

/// Keeps the composer's draft (its text, and its files' names) for a reload, under this page's
/// conversation (the stored session's until the conversation is described: another tab may
/// have started a new one since). Only a page that is chatting writes it: one still starting
/// has not restored the kept draft yet, and a forgotten session keeps nothing.
pub(super) fn save_draft(store: Store, storage_key: &str) {
    if !matches!(store.phase.try_get_untracked(), Some(Phase::Chat | Phase::Ended)) {
        return;
    }
    let Some(session) = dom::load_session(storage_key) else { return };
    let conversation = store
        .info
        .with_untracked(|i| i.as_ref().map(|i| i.sid.clone()))
        .unwrap_or(session.conversation_sid);
    let text = store.draft.get_untracked();
    let files: Vec<String> =
        store.files.with_untracked(|f| f.iter().map(|f| f.name.clone()).collect());
    let key = unsent::draft_key(storage_key, &conversation);
    dom::keep_json(&key, unsent::draft_json(&text, &files).as_ref());
}

fn is_local_echo(update: &Update) -> bool {
    matches!(
        update,
        Update::Chat(Event::Timeline(convo_client::VectorDiff::Insert {
            value: convo_client::TimelineItem::Pending(_),
            ..
        }))
    )
}

/// Adds a conversation's streams to the loop's.
fn watch(
    updates: &mut SelectAll<LocalBoxStream<'static, Update>>,
    conversation: &ConversationHandle,
    diffs: impl futures_util::Stream<Item = convo_client::VectorDiff<convo_client::TimelineItem>>
        + 'static,
) {
    let chat = |event: Event| Update::Chat(event);
    updates.push(conversation.info().subscribe().map(move |i| chat(Event::Info(i))).boxed_local());
    updates.push(
        conversation
            .participants()
            .subscribe()
            .map(move |p| chat(Event::Participants(p)))
            .boxed_local(),
    );
    updates
        .push(conversation.typing().subscribe().map(move |t| chat(Event::Typing(t))).boxed_local());
    updates.push(
        conversation.has_older().subscribe().map(move |h| chat(Event::HasOlder(h))).boxed_local(),
    );
    updates.push(diffs.map(move |d| chat(Event::Timeline(d))).boxed_local());
}

/// Installs the widget-wide listeners, each removed when the widget goes: page visibility (and
/// the cached page and the draft, kept as the page is hidden or left), the visual viewport's
/// height, the reconnect countdown's tick, and `(n) New message` in the document title while
/// there is unread news (with a chime when asked to).
pub fn install(store: Store, sound: bool, storage_key: String) {
    follow_visual_viewport();
    let key = storage_key.clone();
    listen(&document(), "visibilitychange", move || {
        let hidden = dom::page_hidden();
        store.apply(Event::PageVisible(!hidden));
        if hidden {
            save_page(store, &key);
            save_draft(store, &key);
        }
    });
    listen(&window(), "pagehide", move || {
        save_page(store, &storage_key);
        save_draft(store, &storage_key);
    });
    if let Ok(tick) = set_interval_with_handle(
        move || {
            if let Some(Some(seconds)) = store.countdown.try_get_untracked() {
                store.countdown.set(Some(seconds.saturating_sub(1).max(1)));
            }
        },
        Duration::from_secs(1),
    ) {
        on_cleanup(move || tick.clear());
    }
    let original = StoredValue::new(dom::title());
    let previous = StoredValue::new(0u64);
    effect(move || {
        let unread = store.unread.get();
        let strings = store.locale.get().strings();
        if unread > 0 {
            dom::set_title(&format!("{} {}", (strings.title_unread)(unread), original.get_value()));
            if sound && unread > previous.get_value() && dom::page_hidden() {
                dom::chime();
            }
        } else {
            dom::set_title(&original.get_value());
        }
        previous.set_value(unread);
    });
    on_cleanup(move || {
        if let Some(title) = original.try_get_value() {
            dom::set_title(&title);
        }
    });
}

/// Calls `f` on `target`'s `event` until the current reactive owner is cleaned up.
fn listen(target: &web_sys::EventTarget, event: &'static str, f: impl FnMut() + 'static) {
    let listener = Closure::<dyn FnMut()>::new(f);
    let callback: js_sys::Function = listener.as_ref().unchecked_ref::<js_sys::Function>().clone();
    if target.add_event_listener_with_callback(event, &callback).is_err() {
        return;
    }
    let target = target.clone();
    let listener = send_wrapper::SendWrapper::new((target, listener));
    on_cleanup(move || {
        let (target, listener) = listener.take();
        let _ =
            target.remove_event_listener_with_callback(event, listener.as_ref().unchecked_ref());
    });
}

/// Keeps `--convo-vh` at the visible viewport's height, so the full-screen panel on a phone
/// shrinks above the on-screen keyboard instead of hiding behind it.
fn follow_visual_viewport() {
    let Some(viewport) = window().visual_viewport() else { return };
    let update = {
        let viewport = viewport.clone();
        move || {
            // On the shadow host (inherited inside), or the root of a widget mounted without one.
            let root = document()
                .get_element_by_id(crate::HOST_ID)
                .or_else(|| document().query_selector(".convo-root").ok().flatten());
            if let Some(root) = root {
                let root: web_sys::HtmlElement = root.unchecked_into();
                // Whole pixels, rounded down (never taller than what shows): an integer, so
                // no float formatting ships in the wasm for this (issue 15).
                let height = viewport.height().floor() as i64;
                let _ = root.style().set_property("--convo-vh", &format!("{height}px"));
            }
        }
    };
    update();
    listen(&viewport, "resize", update);
}

#[cfg(feature = "agent-desk")]
pub use desk::{connect_desk, DeskLive};

/// The agent desk's own connection, as the agent: it follows every conversation the agent has
/// joined and keeps the marks of each in the desk's list ([`super::desk::marks`]) while one of
/// them is open in the widget beside it.
#[cfg(feature = "agent-desk")]
mod desk {
    use std::{
        collections::{HashMap, HashSet},
        sync::Arc,
    };

    use convo_client::{
        Client, ClientConfig, ConversationInfo, Participant, TimelineItem, TokenProvider,
        VectorDiff,
    };
    use futures_util::{
        future::{AbortHandle, Abortable},
        stream::{LocalBoxStream, SelectAll},
        FutureExt, StreamExt,
    };
    use leptos::task::spawn_local;

    use crate::{
        state::{
            desk::{marks, Followed},
            Inbox,
        },
        WidgetConfig,
    };

    /// The desk's client and the loop reading it.
    #[derive(Debug, Clone)]
    pub struct DeskLive {
        client: Client,
        stop: AbortHandle,
    }

    impl DeskLive {
        /// Disconnects and ends the loop.
        pub fn shutdown(&self) {
            self.stop.abort();
            self.client.shutdown();
        }
    }

    /// What the desk's client published, by conversation.
    enum Update {
        Me(Option<String>),
        Joined(Vec<String>),
        Info(String, Option<ConversationInfo>),
        Participants(String, Vec<Participant>),
        Typing(String, Vec<String>),
        HasOlder(String, bool),
        Timeline(String, VectorDiff<TimelineItem>),
    }

    /// Connects the desk's client with `tokens` and starts the loop that marks `inbox`'s list.
    pub fn connect_desk(inbox: Inbox, tokens: Arc<dyn TokenProvider>) -> DeskLive {
        let origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
        let twilsock_url = WidgetConfig::default().absolute_twilsock_url(&origin);
        let client = Client::connect(ClientConfig::following_tokens(twilsock_url), tokens);
        let (stop, registration) = AbortHandle::new_pair();
        spawn_local(Abortable::new(run(inbox, client.clone()), registration).map(drop));
        DeskLive { client, stop }
    }

    async fn run(inbox: Inbox, client: Client) {
        let mut updates: SelectAll<LocalBoxStream<'static, Update>> = SelectAll::new();
        updates.push(client.identity().subscribe().map(Update::Me).boxed_local());
        updates.push(
            client
                .conversations()
                .subscribe()
                .map(|list| Update::Joined(list.into_iter().map(|c| c.sid).collect()))
                .boxed_local(),
        );
        let mut me: Option<String> = None;
        let mut followed: HashMap<String, Followed> = HashMap::new();
        while let Some(first) = updates.next().await {
            let mut batch = vec![first];
            while let Some(Some(more)) = updates.next().now_or_never() {
                batch.push(more);
            }
            let mut touched: HashSet<String> = HashSet::new();
            for update in batch {
                match update {
                    Update::Me(identity) => {
                        me = identity;
                        touched.extend(followed.keys().cloned());
                    }
                    Update::Joined(sids) => {
                        for sid in sids {
                            if !followed.contains_key(&sid) {
                                let timeline = follow(&mut updates, &client, &sid);
                                followed.insert(
                                    sid.clone(),
                                    Followed { items: timeline, ..Followed::default() },
                                );
                                touched.insert(sid);
                            }
                        }
                    }
                    Update::Info(sid, info) => {
                        if let Some(c) = followed.get_mut(&sid) {
                            c.info = info;
                            touched.insert(sid);
                        }
                    }
                    Update::Participants(sid, participants) => {
                        if let Some(c) = followed.get_mut(&sid) {
                            c.participants = participants;
                            touched.insert(sid);
                        }
                    }
                    Update::Typing(sid, typing) => {
                        if let Some(c) = followed.get_mut(&sid) {
                            c.typing = typing;
                            touched.insert(sid);
                        }
                    }
                    Update::HasOlder(sid, has_older) => {
                        if let Some(c) = followed.get_mut(&sid) {
                            c.has_older = has_older;
                            touched.insert(sid);
                        }
                    }
                    Update::Timeline(sid, diff) => {
                        if let Some(c) = followed.get_mut(&sid) {
                            diff.apply(&mut c.items);
                            touched.insert(sid);
                        }
                    }
                }
            }
            if inbox.is_disposed() {
                return;
            }
            let Some(me) = &me else { continue };
            for sid in touched {
                if let Some(conversation) = followed.get(&sid) {
                    inbox.set_marks(&sid, marks(me, conversation));
                }
            }
        }
    }

    /// Adds conversation `sid`'s streams to the loop's; its timeline now.
    fn follow(
        updates: &mut SelectAll<LocalBoxStream<'static, Update>>,
        client: &Client,
        sid: &str,
    ) -> Vec<TimelineItem> {
        let conversation = client.conversation(sid);
        let sid = sid.to_owned();
        let (timeline, diffs) = conversation.timeline().subscribe();
        let s = sid.clone();
        updates.push(
            conversation.info().subscribe().map(move |i| Update::Info(s.clone(), i)).boxed_local(),
        );
        let s = sid.clone();
        updates.push(
            conversation
                .participants()
                .subscribe()
                .map(move |p| Update::Participants(s.clone(), p))
                .boxed_local(),
        );
        let s = sid.clone();
        updates.push(
            conversation
                .typing()
                .subscribe()
                .map(move |t| Update::Typing(s.clone(), t))
                .boxed_local(),
        );
        let s = sid.clone();
        updates.push(
            conversation
                .has_older()
                .subscribe()
                .map(move |h| Update::HasOlder(s.clone(), h))
                .boxed_local(),
        );
        updates.push(diffs.map(move |d| Update::Timeline(sid.clone(), d)).boxed_local());
        timeline
    }
}
