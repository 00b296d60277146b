//! The only place that talks to `convo-client`: it starts a session and copies everything the
//! client publishes into the store; it also keeps the stored session, the document title and
//! the reconnect countdown in step.

use std::{cell::Cell, rc::Rc, sync::Arc, time::Duration};

use convo_client::{
    Client, ClientConfig, ConnectionState, ConversationHandle, ConversationState, SessionInfo,
    SessionTokenProvider, TimelineItem, VectorDiff,
};
use futures_util::StreamExt;
use leptos::{prelude::*, task::spawn_local};
use serde_json::{Map, Value};

use super::{Phase, Store};
use crate::{dom, WidgetConfig};

/// A live session: the client and, once known, the conversation.
#[derive(Debug, Clone)]
pub struct Live {
    pub client: Client,
    pub tokens: SessionTokenProvider,
    /// Filled in by the session watcher; shared plainly (not a reactive value) because the
    /// session outlives whatever reactive owner was current when it started.
    pub conversation: Arc<std::sync::Mutex<Option<ConversationHandle>>>,
}

impl Live {
    /// The conversation, once the session names it.
    pub fn conversation(&self) -> Option<ConversationHandle> {
        self.conversation.lock().ok().and_then(|c| c.clone())
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

/// Starts a client for `start` and wires it into `store`.
pub fn connect(store: Store, config: &WidgetConfig, start: Start) -> Live {
    let origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
    let tokens = SessionTokenProvider::new(config.session_url.clone(), config.token_url.clone());
    let tokens = match start {
        Start::New(form) => tokens.form(form),
        Start::Stored(session) => tokens.with_session(session),
    };
    let client = Client::connect(
        ClientConfig::new(config.absolute_twilsock_url(&origin)),
        Arc::new(tokens.clone()),
    );
    let live =
        Live { client: client.clone(), tokens: tokens.clone(), conversation: Arc::default() };
    let storage_key = config.storage_key();

    let mut states = client.subscribe_state();
    spawn_local(async move {
        while let Some(state) = states.next().await {
            store.countdown.set(match &state {
                ConnectionState::Reconnecting { retry_in, .. } => {
                    Some(crate::i18n::seconds(*retry_in))
                }
                _ => None,
            });
            if let ConnectionState::Denied { code, .. } = &state {
                // The stored session is no longer valid (expired handle, deleted conversation):
                // forget it so the next open starts afresh, never silently into another chat.
                if *code == 401 {
                    dom::clear_session(&storage_key);
                }
                if store.phase.get_untracked() != Phase::Ended {
                    store.phase.set(Phase::Unavailable);
                }
            }
            store.connection.set(state);
        }
    });

    let mut identities = client.identity().subscribe();
    spawn_local(async move {
        while let Some(identity) = identities.next().await {
            store.identity.set(identity);
        }
    });

    let mut sessions = tokens.session().subscribe();
    let key = config.storage_key();
    let conversation_slot = Arc::clone(&live.conversation);
    let watcher = client;
    spawn_local(async move {
        let mut attached: Option<String> = None;
        while let Some(session) = sessions.next().await {
            let Some(session) = session else { continue };
            dom::save_session(&key, &session);
            if attached.as_deref() != Some(session.conversation_sid.as_str()) {
                attached = Some(session.conversation_sid.clone());
                let conversation = watcher.conversation(&session.conversation_sid);
                if let Ok(mut slot) = conversation_slot.lock() {
                    *slot = Some(conversation.clone());
                }

                crate::api::emit(
                    "conversation-started",
                    &serde_json::json!({ "conversationSid": session.conversation_sid }),
                );
                attach(store, conversation);
                if store.phase.get_untracked() == Phase::Starting {
                    store.phase.set(Phase::Chat);
                }
            }
        }
    });

    live
}

/// Copies a conversation's views into the store.
fn attach(store: Store, conversation: ConversationHandle) {
    // The newest message index when the conversation was first described: anything up to it
    // is history being loaded, not news. `None` until the description arrives.
    let history_end: Rc<Cell<Option<Option<u64>>>> = Rc::default();
    let mut info = conversation.info().subscribe();
    let end = Rc::clone(&history_end);
    spawn_local(async move {
        while let Some(info) = info.next().await {
            if let (None, Some(info)) = (end.get(), &info) {
                end.set(Some(info.last_message_index));
            }
            if info.as_ref().is_some_and(|i| i.state == ConversationState::Closed) {
                store.phase.set(Phase::Ended);
            }
            // A session resumed with the panel closed shows what came in while the visitor was
            // away (new arrivals count themselves as they come, so never lower it).
            let unread = info.as_ref().and_then(|i| i.unread_count).unwrap_or(0);
            if !store.open.get_untracked() && unread > store.unread.get_untracked() {
                store.unread.set(unread);
            }
            store.info.set(info);
        }
    });
    let mut participants = conversation.participants().subscribe();
    spawn_local(async move {
        while let Some(participants) = participants.next().await {
            store.participants.set(participants);
        }
    });
    let mut typing = conversation.typing().subscribe();
    spawn_local(async move {
        while let Some(typing) = typing.next().await {
            store.typing.set(typing);
        }
    });
    let mut has_older = conversation.has_older().subscribe();
    spawn_local(async move {
        while let Some(value) = has_older.next().await {
            store.has_older.set(value);
        }
    });
    let sid = conversation.sid().to_owned();
    let (snapshot, mut diffs) = conversation.timeline().subscribe();
    store.timeline.set(snapshot);
    spawn_local(async move {
        while let Some(diff) = diffs.next().await {
            // New messages: inserted after every delivered one (pending echoes stay last), or
            // the visitor's own replacing its pending echo.
            let new = match &diff {
                VectorDiff::Insert { value: TimelineItem::Remote(message), index } => store
                    .timeline
                    .with_untracked(|list| {
                        list.get(*index..).is_some_and(|after| {
                            after.iter().all(|item| matches!(item, TimelineItem::Pending(_)))
                        })
                    })
                    .then_some(message),
                VectorDiff::Set { value: TimelineItem::Remote(message), index } => store
                    .timeline
                    .with_untracked(|list| {
                        matches!(list.get(*index), Some(TimelineItem::Pending(_)))
                    })
                    .then_some(message),
                _ => None,
            };
            let new = new.filter(|m| history_end.get().is_some_and(|end| end < Some(m.index)));
            if let Some(message) = new {
                crate::api::emit("message", &crate::api::message_detail(message, &sid));
                if store.identity.get_untracked().as_deref() != Some(message.author.as_str()) {
                    arrived(store, message);
                }
            }
            store.timeline.update(|list| diff.apply(list));
        }
    });
}

/// A new message from someone else: announce it, count it if unseen, tell a hidden tab.
fn arrived(store: Store, message: &convo_client::Message) {
    let strings = store.locale.get_untracked().strings();
    let who = display_name(store, &message.author);
    let text = message.body.clone().unwrap_or_else(|| {
        message.media.first().and_then(|m| m.filename.clone()).unwrap_or_default()
    });
    store.announcement.set((strings.announce)(&who, &text));
    let unseen = !store.open.get_untracked() || dom::page_hidden();
    if unseen {
        store.unread.update(|n| *n += 1);
    }
}

/// A participant's public name: their attributes' `friendlyName`, their user's friendly name,
/// or a role word — never their raw identity.
pub fn display_name(store: Store, identity: &str) -> String {
    let strings = store.locale.get_untracked().strings();
    if store.identity.get_untracked().as_deref() == Some(identity) {
        return strings.you.to_owned();
    }
    let participants = store.participants.get_untracked();
    let participant = participants.iter().find(|p| p.identity.as_deref() == Some(identity));
    let named = participant.and_then(|p| {
        p.attributes["friendlyName"]
            .as_str()
            .map(str::to_owned)
            .or_else(|| p.user_friendly_name.clone())
    });
    match named.filter(|n| !n.trim().is_empty()) {
        Some(name) => name,
        None if identity.contains("bot") => strings.assistant.to_owned(),
        None => strings.agent.to_owned(),
    }
}

/// Installs the widget-wide effects, once: the reconnect countdown's tick, and `(n) New
/// message` in the document title while there is unread news (with a chime when asked to).
pub fn install(store: Store, sound: bool) {
    follow_visual_viewport();
    follow_visibility(store);
    // Coming back to the page with the chat open: what is on screen is seen.
    Effect::new(move |_| {
        if store.visible.get() && store.open.get() {
            store.unread.set(0);
        }
    });

    set_interval(
        move || {
            if let Some(seconds) = store.countdown.get_untracked() {
                store.countdown.set(Some(seconds.saturating_sub(1).max(1)));
            }
        },
        Duration::from_secs(1),
    );
    let original = StoredValue::new(dom::title());
    let previous = StoredValue::new(0u64);
    Effect::new(move |_| {
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
}

/// Keeps `store.visible` in step with the page's visibility.
fn follow_visibility(store: Store) {
    let listener = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
        store.visible.set(!dom::page_hidden());
    });
    let _ = document().add_event_listener_with_callback(
        "visibilitychange",
        wasm_bindgen::JsCast::unchecked_ref(listener.as_ref()),
    );
    // The widget lives as long as the page.
    listener.forget();
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
                let root: web_sys::HtmlElement = wasm_bindgen::JsCast::unchecked_into(root);
                let _ =
                    root.style().set_property("--convo-vh", &format!("{}px", viewport.height()));
            }
        }
    };
    update();
    let listener = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(update);
    viewport.set_onresize(Some(wasm_bindgen::JsCast::unchecked_ref(listener.as_ref())));
    // The widget lives as long as the page.
    listener.forget();
}
