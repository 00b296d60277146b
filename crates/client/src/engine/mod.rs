//! The engine: one task that owns everything the client knows. It receives driver events
//! (connection up/down, notifications), the results of the requests it started, timer ticks and
//! commands from handles — one at a time, so its state needs no locks — and publishes the
//! observable views the UI reads. It never waits on the network: requests run as tasks that
//! post their results back.

pub(crate) mod api;
pub(crate) mod conversation;
mod load;
mod outbox;
mod sending;
mod subscriptions;

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use convo_wire::json;
use convo_wire::object;
use futures_channel::{mpsc, oneshot};
use futures_util::StreamExt;
use serde_json::Value;

use crate::sorted::{SortedMap, SortedSet};

use self::{
    api::{encode, Api},
    conversation::{message_from_item, participant_from_item, Conversation, Views},
    load::{Configuration, ConversationSnapshot, Descriptor, UserSnapshot},
    outbox::Outbox,
    subscriptions::Subscriptions,
};
use crate::{
    connection::{Connection, DriverEvent},
    model::{Attachment, ConversationInfo, MediaUrl, UnsentMessage},
    platform, Error, Observable,
};

/// Messages in the first page of a timeline (as the SDK's default).
pub(crate) const PAGE_SIZE: usize = 50;
/// Messages per older page ([`crate::ConversationHandle::load_older`]): scrolling back wants
/// fewer, larger round trips.
pub const OLDER_PAGE_SIZE: usize = 100;
/// How long opened objects are gathered into one subscription request (as the SDK does).
const BATCH_DELAY: Duration = Duration::from_millis(50);
/// The typing timeout until the server says otherwise.
const DEFAULT_TYPING_TIMEOUT_MS: u64 = 5_000;

/// Views by conversation SID, shared with the handles.
pub(crate) type ViewRegistry = Arc<Mutex<SortedMap<String, Views>>>;

/// What handles ask of the engine.
pub(crate) enum Command {
    Send {
        conversation: String,
        body: Option<String>,
        attributes: Value,
        attachments: Vec<Attachment>,
        reply: oneshot::Sender<u64>,
    },
    Retry {
        conversation: String,
        local_id: u64,
    },
    Cancel {
        conversation: String,
        local_id: u64,
    },
    /// Messages kept from an earlier page, queued again under their own mutation ids.
    Restore {
        conversation: String,
        messages: Vec<UnsentMessage>,
        reply: oneshot::Sender<()>,
    },
    LoadOlder {
        conversation: String,
        reply: oneshot::Sender<Result<bool, Error>>,
    },
    Typing {
        conversation: String,
    },
    /// A client API command whose outcome arrives through Sync: `(method, path under the
    /// conversation's URL, body)`.
    Call {
        conversation: String,
        method: &'static str,
        path: String,
        body: Value,
        reply: oneshot::Sender<Result<Value, Error>>,
    },
    ReadHorizon {
        conversation: String,
        index: Option<u64>,
        reply: oneshot::Sender<Result<Option<u64>, Error>>,
    },
    CreateConversation {
        body: Value,
        reply: oneshot::Sender<Result<String, Error>>,
    },
    /// A temporary download URL for a media SID.
    MediaUrl {
        media: String,
        reply: oneshot::Sender<Result<MediaUrl, Error>>,
    },
}

/// Everything that reaches the engine.
pub(crate) enum Event {
    Driver(DriverEvent),
    Command(Command),
    Configured(Result<Configuration, Error>),
    MyConversations(Box<Result<(Descriptor, Vec<load::Item>), Error>>),
    ConversationLoaded {
        sid: String,
        result: Box<Result<ConversationSnapshot, Error>>,
    },
    UserLoaded {
        identity: String,
        result: Box<Result<UserSnapshot, Error>>,
    },
    OlderLoaded {
        sid: String,
        /// The request's `From`: the page holds messages before it.
        before: u64,
        result: Result<(Vec<load::Item>, bool), Error>,
    },
    SubscribeNow,
    SubscriptionReply {
        correlation: u64,
        result: Result<Value, Error>,
    },
    SubscriptionWatchdog {
        correlation: u64,
    },
    Outbox(outbox::Progress),
    TypingExpiry,
    TypingTimeout(u64),
    /// Try the conversation's outbox again.
    Pump(String),
}

/// The public observables the engine writes.
#[derive(Debug, Clone, Default)]
pub(crate) struct Published {
    pub(crate) identity: Observable<Option<String>>,
    pub(crate) conversations: Observable<Vec<ConversationInfo>>,
    pub(crate) views: ViewRegistry,
}

/// Where an open Sync object belongs.
#[derive(Debug, Clone, PartialEq)]
enum Role {
    MyConversations,
    UserInfo(String),
    Document(String),
    List(String),
    Roster(String),
}

#[derive(Debug, Default)]
struct User {
    map: String,
    events: SortedMap<String, u64>,
    friendly_name: Option<String>,
    online: Option<bool>,
}

pub(crate) struct Engine {
    api: Api,
    aim: String,
    cds: String,
    inbox: mpsc::UnboundedReceiver<Event>,
    tx: mpsc::UnboundedSender<Event>,
    published: Published,
    connected: bool,
    config: Option<Configuration>,
    configuring: bool,
    subscriptions: Subscriptions,
    batch_scheduled: bool,
    objects: SortedMap<String, Role>,
    /// The user's my-conversations map: CH → (event id, item data).
    memberships: SortedMap<String, (u64, Value)>,
    conversations: SortedMap<String, Conversation>,
    loading: SortedSet<String>,
    users: SortedMap<String, User>,
    outbox: Outbox,
    typing_sent: SortedMap<String, u64>,
    typing_timeout_ms: u64,
    /// Media URLs asked for before the configuration (which names the media service) arrived:
    /// a page restored from the cache shows its attachments before the connection is up.
    media_waiting: Vec<(String, oneshot::Sender<Result<MediaUrl, Error>>)>,
}

impl Engine {
    /// Starts the engine task; returns the sender of its inbox.
    pub(crate) fn start(
        connection: Connection,
        driver_events: mpsc::UnboundedReceiver<DriverEvent>,
        config: &crate::ClientConfig,
        published: Published,
    ) -> mpsc::UnboundedSender<Event> {
        let (tx, inbox) = mpsc::unbounded();
        let forward = tx.clone();
        platform::spawn(Box::pin(async move {
            let mut driver_events = driver_events;
            while let Some(event) = driver_events.next().await {
                if forward.unbounded_send(Event::Driver(event)).is_err() {
                    return;
                }
            }
        }));
        let engine = Engine {
            api: Api { connection, timeout: config.request_timeout },
            aim: config.aim_url.clone(),
            cds: config.cds_url.clone(),
            inbox,
            tx: tx.clone(),
            published,
            connected: false,
            config: None,
            configuring: false,
            subscriptions: Subscriptions::default(),
            batch_scheduled: false,
            objects: SortedMap::new(),
            memberships: SortedMap::new(),
            conversations: SortedMap::new(),
            loading: Default::default(),
            users: SortedMap::new(),
            outbox: Outbox::default(),
            typing_sent: SortedMap::new(),
            typing_timeout_ms: DEFAULT_TYPING_TIMEOUT_MS,
            media_waiting: Vec::new(),
        };
        platform::spawn(Box::pin(engine.run()));
        tx
    }

    async fn run(mut self) {
        while let Some(event) = self.inbox.next().await {
            self.handle(event);
        }
    }

    /// Runs `future` as a task and posts the event it ends with. Boxed, not generic: one
    /// instance of this for every task the engine starts (issue 15, the shipped wasm's size).
    fn spawn(&self, future: platform::BoxFuture<'static, Event>) {
        let tx = self.tx.clone();
        platform::spawn(Box::pin(async move {
            let _ = tx.unbounded_send(future.await);
        }));
    }

    fn after(&self, delay: Duration, event: Event) {
        let tx = self.tx.clone();
        let event = std::sync::Mutex::new(Some(event));
        platform::spawn(Box::pin(async move {
            platform::sleep(delay).await;
            if let Some(event) = event.lock().ok().and_then(|mut e| e.take()) {
                let _ = tx.unbounded_send(event);
            }
        }));
    }

    fn me(&self) -> String {
        self.config.as_ref().map(|c| c.identity.clone()).unwrap_or_default()
    }

    fn handle(&mut self, event: Event) {
        match event {
            Event::Driver(DriverEvent::Connected) => {
                self.connected = true;
                if self.config.is_none() {
                    self.configure();
                } else {
                    self.schedule_subscribe();
                    let sids: Vec<String> = self.conversations.keys().cloned().collect();
                    for sid in sids {
                        self.pump(&sid);
                    }
                }
            }
            Event::Driver(DriverEvent::Disconnected) => {
                self.connected = false;
                self.subscriptions.disconnected();
            }
            Event::Driver(DriverEvent::Notification { message_type, payload }) => {
                self.notification(&message_type, &payload)
            }
            Event::Command(command) => self.command(command),
            Event::Configured(result) => self.configured(result),
            Event::MyConversations(result) => self.my_conversations_loaded(*result),
            Event::ConversationLoaded { sid, result } => self.conversation_loaded(&sid, *result),
            Event::UserLoaded { identity, result } => self.user_loaded(&identity, *result),
            Event::OlderLoaded { sid, before, result } => self.older_loaded(&sid, before, result),
            Event::SubscribeNow => self.subscribe_now(),
            Event::SubscriptionReply { correlation, result } => match result {
                Ok(body) => {
                    if let Some(max) = body["max_batch_size"].as_u64() {
                        self.subscriptions.set_max_batch(max as usize);
                    }
                    let wait = body["estimated_delivery_in_ms"].as_u64().unwrap_or(5_000).max(100);
                    self.after(
                        Duration::from_millis(wait),
                        Event::SubscriptionWatchdog { correlation },
                    );
                }
                Err(_) => {
                    if self.subscriptions.retry(correlation) && self.connected {
                        self.schedule_subscribe();
                    }
                }
            },
            Event::SubscriptionWatchdog { correlation } => {
                // The establishment never arrived: ask again (the SDK's re-poke).
                if self.subscriptions.retry(correlation) && self.connected {
                    self.schedule_subscribe();
                }
            }
            Event::Outbox(progress) => self.outbox_progress(progress),
            Event::TypingExpiry => self.expire_typing(),
            Event::TypingTimeout(ms) => self.typing_timeout_ms = ms,
            Event::Pump(conversation) => self.pump(&conversation),
        }
        self.publish_unsent();
    }

    /// Publishes the unsent messages of each conversation whose outbox changed (only when
    /// they differ: a step from queued to sending keeps what a page has to keep).
    fn publish_unsent(&mut self) {
        for sid in self.outbox.take_dirty() {
            let unsent = self.outbox.unsent(&sid);
            let views = self.views(&sid);
            if views.unsent.get() != unsent {
                views.unsent.set(unsent);
            }
        }
    }

    // --- bootstrap -------------------------------------------------------------------------

    fn configure(&mut self) {
        if self.configuring {
            return;
        }
        self.configuring = true;
        let (api, aim) = (self.api.clone(), self.aim.clone());
        self.spawn(Box::pin(
            async move { Event::Configured(load::configuration(&api, &aim).await) },
        ));
    }

    fn configured(&mut self, result: Result<Configuration, Error>) {
        self.configuring = false;
        // On failure, configuration is retried on the next connection.
        let Ok(config) = result else { return };
        self.published.identity.set(Some(config.identity.clone()));
        let (api, cds, map, info) = (
            self.api.clone(),
            self.cds.clone(),
            config.my_conversations.clone(),
            config.my_user_info.clone(),
        );
        let me = config.identity.clone();
        self.config = Some(config);
        for (media, reply) in std::mem::take(&mut self.media_waiting) {
            self.media_url(media, reply);
        }
        self.spawn(Box::pin(async move {
            Event::MyConversations(Box::new(load::map_with_items(&api, &cds, &map).await))
        }));
        self.load_user(&me, Some(info));
    }

    fn my_conversations_loaded(&mut self, result: Result<(Descriptor, Vec<load::Item>), Error>) {
        let Ok((descriptor, items)) = result else {
            // Try again on the next connection.
            self.config = None;
            return;
        };
        self.track(&descriptor, "map", Role::MyConversations);
        for item in items {
            if let Some(key) = item.key.as_str() {
                self.membership_changed(key, item.event_id, Some(item.data));
            }
        }
        self.publish_conversations();
    }

    fn track(&mut self, descriptor: &Descriptor, kind: &'static str, role: Role) {
        self.objects.insert(descriptor.sid.clone(), role);
        self.subscriptions.want(&descriptor.sid, kind, descriptor.last_event_id);
        self.schedule_subscribe();
    }

    fn untrack(&mut self, sid: &str) {
        self.objects.remove(sid);
        if let Some(cancel) = self.subscriptions.forget(sid, platform::now_millis()) {
            let (api, url) = (self.api.clone(), format!("{}/v4/Subscriptions", self.cds));
            platform::spawn(Box::pin(async move {
                let _ = api.post(&url, cancel).await;
            }));
        }
    }

    fn schedule_subscribe(&mut self) {
        if !self.batch_scheduled {
            self.batch_scheduled = true;
            self.after(BATCH_DELAY, Event::SubscribeNow);
        }
    }

    fn subscribe_now(&mut self) {
        self.batch_scheduled = false;
        if !self.connected {
            return;
        }
        while let Some((correlation, body)) = self.subscriptions.next_batch(platform::now_millis())
        {
            let (api, url) = (self.api.clone(), format!("{}/v4/Subscriptions", self.cds));
            self.spawn(Box::pin(async move {
                Event::SubscriptionReply { correlation, result: api.post(&url, body).await }
            }));
        }
    }

    /// A my-conversations item appeared, changed (`Some`) or went away (`None`).
    fn membership_changed(&mut self, sid: &str, event_id: u64, data: Option<Value>) {
        match data {
            Some(data) => {
                if self.memberships.get(sid).is_some_and(|(stored, _)| *stored >= event_id) {
                    return;
                }
                let joined = data["status"] == "joined";
                let document = data["channel"].as_str().unwrap_or_default().to_owned();
                let horizon = data["lastConsumedMessageIndex"].as_u64();
                self.memberships.insert(sid.to_owned(), (event_id, data));
                if !joined {
                    self.drop_conversation(sid);
                } else if let Some(conversation) = self.conversations.get_mut(sid) {
                    conversation.info.read_horizon = horizon;
                    let me = self.me();
                    self.conversations.get_mut(sid).expect("present").publish_info(&me);
                } else if self.loading.insert(sid.to_owned()) {
                    let (api, cds, sid) = (self.api.clone(), self.cds.clone(), sid.to_owned());
                    self.spawn(Box::pin(async move {
                        let result = load::conversation(&api, &cds, &document, PAGE_SIZE).await;
                        Event::ConversationLoaded { sid, result: Box::new(result) }
                    }));
                }
            }
            None => {
                self.memberships.remove(sid);
                self.drop_conversation(sid);
            }
        }
        self.publish_conversations();
    }

    fn drop_conversation(&mut self, sid: &str) {
        if let Some(conversation) = self.conversations.remove(sid) {
            for object in [&conversation.document, &conversation.list, &conversation.roster] {
                self.untrack(object);
            }
            conversation.views.info.set(None);
        }
    }

    fn views(&self, sid: &str) -> Views {
        self.published
            .views
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_or_insert_with(sid.to_owned(), Views::default)
            .clone()
    }

    fn conversation_loaded(&mut self, sid: &str, result: Result<ConversationSnapshot, Error>) {
        self.loading.remove(sid);
        // A conversation that cannot be opened is skipped, as the SDK does.
        let Ok(snapshot) = result else { return };
        if self.memberships.get(sid).is_none_or(|(_, data)| data["status"] != "joined") {
            return;
        }
        let horizon = self.memberships[sid].1["lastConsumedMessageIndex"].as_u64();
        let views = self.views(sid);
        let mut conversation = Conversation {
            sid: sid.to_owned(),
            document: snapshot.document.sid.clone(),
            list: snapshot.list.sid.clone(),
            roster: snapshot.roster.sid.clone(),
            list_items_url: snapshot.list.items_url.clone(),
            info: ConversationInfo {
                sid: sid.to_owned(),
                read_horizon: horizon,
                ..ConversationInfo::default()
            },
            participants: SortedMap::new(),
            messages: Default::default(),
            removed: Default::default(),
            has_older: snapshot.has_older,
            older: Default::default(),
            typing: SortedMap::new(),
            views,
            unread: None,
        };
        conversation.apply_document(&snapshot.document.data);
        conversation.reset_messages(page(&snapshot.messages));
        let mut identities = Vec::new();
        for item in &snapshot.participants {
            if let Some(key) = item.key.as_str() {
                let participant = participant_from_item(key, &item.data);
                if let Some(identity) = &participant.identity {
                    identities.push((
                        identity.clone(),
                        item.data["userInfo"].as_str().map(str::to_owned),
                    ));
                }
                conversation.participants.insert(key.to_owned(), (item.event_id, participant));
            }
        }
        conversation.views.has_older.set(conversation.has_older);
        self.track(&snapshot.document, "document", Role::Document(sid.to_owned()));
        self.track(&snapshot.list, "list", Role::List(sid.to_owned()));
        self.track(&snapshot.roster, "map", Role::Roster(sid.to_owned()));
        self.conversations.insert(sid.to_owned(), conversation);
        for (identity, map) in identities {
            self.load_user(&identity, map);
        }
        self.refresh_participants(sid);
        let me = self.me();
        if let Some(c) = self.conversations.get_mut(sid) {
            c.publish_info(&me);
        }
        self.publish_conversations();
        self.outbox.restore(sid, self.conversations.get(sid).expect("inserted"));
        self.pump(sid);
    }

    fn load_user(&mut self, identity: &str, map: Option<String>) {
        if self.users.contains_key(identity) {
            return;
        }
        self.users.insert(identity.to_owned(), User::default());
        let Some(config) = &self.config else { return };
        let (api, cds, users, identity) =
            (self.api.clone(), self.cds.clone(), config.link("users"), identity.to_owned());
        self.spawn(Box::pin(async move {
            let result = load::user(&api, &cds, &users, &identity, map).await;
            Event::UserLoaded { identity, result: Box::new(result) }
        }));
    }

    fn user_loaded(&mut self, identity: &str, result: Result<UserSnapshot, Error>) {
        let Ok(snapshot) = result else {
            // Forget it so a later roster change tries again.
            self.users.remove(identity);
            return;
        };
        let map = snapshot.map.sid.clone();
        if let Some(user) = self.users.get_mut(identity) {
            user.map.clone_from(&map);
        }
        for item in &snapshot.map.items {
            if let Some(key) = item.key.as_str() {
                self.user_item(identity, key, item.event_id, &item.data);
            }
        }
        self.track(&snapshot.map, "map", Role::UserInfo(identity.to_owned()));
        self.refresh_users(identity);
    }

    fn user_item(&mut self, identity: &str, key: &str, event_id: u64, data: &Value) {
        let Some(user) = self.users.get_mut(identity) else { return };
        if user.events.get(key).is_some_and(|stored| *stored >= event_id) {
            return;
        }
        user.events.insert(key.to_owned(), event_id);
        match key {
            "friendlyName" => user.friendly_name = data["value"].as_str().map(str::to_owned),
            "reachability" => user.online = data["online"].as_bool(),
            _ => {}
        }
    }

    /// Copies users' names and presence into the participants of every conversation.
    fn refresh_users(&mut self, identity: &str) {
        let sids: Vec<String> = self
            .conversations
            .values()
            .filter(|c| {
                c.participants.values().any(|(_, p)| p.identity.as_deref() == Some(identity))
            })
            .map(|c| c.sid.clone())
            .collect();
        for sid in sids {
            self.refresh_participants(&sid);
        }
    }

    fn refresh_participants(&mut self, sid: &str) {
        let Some(conversation) = self.conversations.get_mut(sid) else { return };
        for (_, participant) in conversation.participants.values_mut() {
            if let Some(user) = participant.identity.as_ref().and_then(|i| self.users.get(i)) {
                participant.user_friendly_name = user.friendly_name.clone();
                participant.online = user.online;
            }
        }
        conversation.publish_participants();
    }

    fn publish_conversations(&self) {
        // By SID: the map's order (each info's `sid` is its key).
        let list: Vec<ConversationInfo> =
            self.conversations.values().map(|c| c.info.clone()).collect();
        self.published.conversations.set(list);
    }

    /// A page of older messages arrived. Pages are requested several at a time but applied
    /// in the order they were asked for, so the timeline never has a hole.
    fn older_loaded(
        &mut self,
        sid: &str,
        before: u64,
        result: Result<(Vec<load::Item>, bool), Error>,
    ) {
        let me = self.me();
        let Some(conversation) = self.conversations.get_mut(sid) else { return };
        let Some(request) = conversation.older.iter_mut().find(|r| r.before == before) else {
            // Its queue was dropped after an earlier page failed.
            return;
        };
        request.result = Some(result);
        while conversation.older.front().is_some_and(|r| r.result.is_some()) {
            let request = conversation.older.pop_front().expect("checked");
            match request.result.expect("checked") {
                Ok((items, has_older)) => {
                    conversation.prepend_page(page(&items));
                    conversation.has_older = has_older;
                    let _ = request.reply.send(Ok(has_older));
                }
                Err(e) => {
                    let _ = request.reply.send(Err(e));
                    // The pages after it would leave a hole: they are asked again later.
                    for later in conversation.older.drain(..) {
                        let _ = later.reply.send(Err(Error::Transport(
                            "an earlier page of messages failed to load".to_owned(),
                        )));
                    }
                }
            }
        }
        conversation.views.has_older.set(conversation.has_older);
        conversation.publish_info(&me);
    }

    // --- pushes -----------------------------------------------------------------------------

    fn notification(&mut self, message_type: &str, payload: &Value) {
        match message_type {
            "twilio.sync.event" => self.sync_message(payload, true),
            t if t.starts_with("com.twilio.rtd.cds.") => self.sync_message(payload, false),
            "twilio.ipmsg.typing_indicator" => self.typing_received(payload),
            _ => {}
        }
    }

    fn sync_message(&mut self, payload: &Value, strictly_ordered: bool) {
        let event_type = payload["event_type"].as_str().unwrap_or_default();
        let correlation = payload["correlation_id"].as_u64().unwrap_or(0);
        let events: Vec<Value> = match payload.get("events") {
            Some(Value::Array(events)) => events.clone(),
            _ => vec![payload["event"].clone()],
        };
        for event in events {
            let sid = event["object_sid"].as_str().unwrap_or_default();
            match event_type {
                "subscription_established" => self.subscriptions.established(
                    correlation,
                    sid,
                    event["last_event_id"].as_u64(),
                ),
                "subscription_failed" => {
                    if event["error"]["status"] == 404 {
                        self.object_removed(sid);
                    } else {
                        self.subscriptions.failed(correlation, sid);
                        self.schedule_subscribe();
                    }
                }
                "subscription_canceled" => {}
                _ => self.object_event(event_type, &event, strictly_ordered),
            }
        }
    }

    fn object_event(&mut self, event_type: &str, event: &Value, strictly_ordered: bool) {
        let sid = ["document_sid", "list_sid", "map_sid"]
            .iter()
            .find_map(|k| event[*k].as_str())
            .unwrap_or_default()
            .to_owned();
        let Some(role) = self.objects.get(&sid).cloned() else { return };
        let id = event["id"].as_u64().unwrap_or(0);
        self.subscriptions.advance(&sid, id, strictly_ordered);
        let me = self.me();
        match (role, event_type) {
            (_, "document_removed" | "list_removed" | "map_removed") => self.object_removed(&sid),
            (Role::MyConversations, "map_item_added" | "map_item_updated") => {
                let key = event["item_key"].as_str().unwrap_or_default().to_owned();
                self.membership_changed(&key, id, Some(event["item_data"].clone()));
            }
            (Role::MyConversations, "map_item_removed") => {
                let key = event["item_key"].as_str().unwrap_or_default().to_owned();
                self.membership_changed(&key, id, None);
            }
            (Role::UserInfo(identity), "map_item_added" | "map_item_updated") => {
                let key = event["item_key"].as_str().unwrap_or_default().to_owned();
                self.user_item(&identity, &key, id, &event["item_data"]);
                self.refresh_users(&identity);
            }
            (Role::Document(c), "document_updated") => {
                if let Some(conversation) = self.conversations.get_mut(&c) {
                    conversation.apply_document(&event["document_data"]);
                    conversation.publish_info(&me);
                    self.publish_conversations();
                }
            }
            (Role::List(c), "list_item_added" | "list_item_updated") => {
                let Some(index) = event["item_index"].as_u64() else { return };
                let message = message_from_item(index, &event["item_data"]);
                let author = message.author.clone();
                if let Some(conversation) = self.conversations.get_mut(&c) {
                    // Only what joins the loaded window: an edit of an unloaded older message
                    // is picked up when that page loads.
                    let known = conversation.messages.contains(index);
                    let joins = event_type == "list_item_added" || known;
                    let claimed = (joins && !known && author == me)
                        .then(|| self.outbox.claim(&c, index, &message))
                        .flatten();
                    let changed = match claimed {
                        Some(local_id) => {
                            conversation.confirm_pending(local_id, id, message);
                            true
                        }
                        None => joins && conversation.upsert_message(id, message),
                    };
                    if changed {
                        if conversation.typing.remove(&author).is_some() {
                            conversation.publish_typing();
                        }
                        conversation.info.last_message_index =
                            conversation.info.last_message_index.max(Some(index));
                        conversation.publish_info(&me);
                        self.publish_conversations();
                    }
                }
                self.outbox_confirmed(&c, index);
            }
            (Role::List(c), "list_item_removed") => {
                if let (Some(conversation), Some(index)) =
                    (self.conversations.get_mut(&c), event["item_index"].as_u64())
                {
                    conversation.remove_message(index);
                    conversation.publish_info(&me);
                }
            }
            (Role::Roster(c), "map_item_added" | "map_item_updated") => {
                let key = event["item_key"].as_str().unwrap_or_default().to_owned();
                let participant = participant_from_item(&key, &event["item_data"]);
                let identity = participant.identity.clone();
                if let Some(conversation) = self.conversations.get_mut(&c) {
                    if conversation.participants.get(&key).is_some_and(|(stored, _)| *stored >= id)
                    {
                        return;
                    }
                    conversation.participants.insert(key, (id, participant));
                }
                if let Some(identity) = identity {
                    self.load_user(
                        &identity,
                        event["item_data"]["userInfo"].as_str().map(str::to_owned),
                    );
                }
                self.refresh_participants(&c);
            }
            (Role::Roster(c), "map_item_removed") => {
                let key = event["item_key"].as_str().unwrap_or_default();
                if let Some(conversation) = self.conversations.get_mut(&c) {
                    conversation.participants.remove(key);
                    conversation.publish_participants();
                }
            }
            _ => {}
        }
    }

    fn object_removed(&mut self, sid: &str) {
        match self.objects.get(sid).cloned() {
            Some(Role::Document(c) | Role::List(c) | Role::Roster(c)) => {
                self.memberships.remove(&c);
                self.drop_conversation(&c);
                self.publish_conversations();
            }
            Some(_) => self.untrack(sid),
            None => {}
        }
    }

    fn typing_received(&mut self, payload: &Value) {
        let (Some(sid), Some(identity)) =
            (payload["channel_sid"].as_str(), payload["identity"].as_str())
        else {
            return;
        };
        if identity == self.me() {
            return;
        }
        let timeout = payload["typing_timeout"].as_u64().unwrap_or(6) * 1000;
        let Some(conversation) = self.conversations.get_mut(sid) else { return };
        conversation.typing.insert(identity.to_owned(), platform::now_millis() + timeout);
        conversation.publish_typing();
        self.after(Duration::from_millis(timeout), Event::TypingExpiry);
    }

    fn expire_typing(&mut self) {
        let now = platform::now_millis();
        for conversation in self.conversations.values_mut() {
            let before = conversation.typing.len();
            conversation.typing.retain(|_, until| *until > now);
            if conversation.typing.len() != before {
                conversation.publish_typing();
            }
        }
    }

    // --- commands ---------------------------------------------------------------------------

    fn conversation_url(&self, sid: &str) -> Option<String> {
        self.config.as_ref().map(|c| format!("{}/{}", c.link("conversations"), encode(sid)))
    }

    fn command(&mut self, command: Command) {
        match command {
            Command::Send { conversation, body, attributes, attachments, reply } => {
                let local_id = self.outbox.enqueue(&conversation, body, attributes, attachments);
                let _ = reply.send(local_id);
                if let Some(c) = self.conversations.get(&conversation) {
                    self.outbox.show(&conversation, local_id, c);
                }
                self.pump(&conversation);
            }
            Command::Retry { conversation, local_id } => {
                self.outbox.retry(&conversation, local_id);
                if let Some(c) = self.conversations.get(&conversation) {
                    self.outbox.show(&conversation, local_id, c);
                }
                self.pump(&conversation);
            }
            Command::Cancel { conversation, local_id } => {
                if self.outbox.cancel(&conversation, local_id) {
                    if let Some(c) = self.conversations.get(&conversation) {
                        c.hide_pending(local_id);
                    }
                }
                self.pump(&conversation);
            }
            Command::Restore { conversation, messages, reply } => {
                let restored = self.outbox.restore_unsent(&conversation, messages);
                if let Some(c) = self.conversations.get(&conversation) {
                    for local_id in restored {
                        self.outbox.show(&conversation, local_id, c);
                    }
                }
                self.pump(&conversation);
                // Published before the reply, so whoever waited for it reads them there.
                self.publish_unsent();
                let _ = reply.send(());
            }
            Command::LoadOlder { conversation, reply } => self.load_older(conversation, reply),
            Command::Typing { conversation } => self.send_typing(&conversation),
            Command::Call { conversation, method, path, body, reply } => {
                let Some(base) = self.conversation_url(&conversation) else {
                    let _ = reply.send(Err(Error::Transport("not connected yet".to_owned())));
                    return;
                };
                let api = self.api.clone();
                platform::spawn(Box::pin(async move {
                    let _ = reply.send(
                        api.command(method, &format!("{base}{path}"), body, &api::mutation_id())
                            .await,
                    );
                }));
            }
            Command::ReadHorizon { conversation, index, reply } => {
                let Some(config) = &self.config else {
                    let _ = reply.send(Err(Error::Transport("not connected yet".to_owned())));
                    return;
                };
                let url = format!("{}/{}", config.link("my_conversations"), encode(&conversation));
                let api = self.api.clone();
                platform::spawn(Box::pin(async move {
                    let result = api
                        .command(
                            "POST",
                            &url,
                            object! { "last_read_message_index": index },
                            &api::mutation_id(),
                        )
                        .await;
                    let _ = reply.send(result.map(|body| body["unread_messages_count"].as_u64()));
                }));
            }
            Command::MediaUrl { media, reply } => self.media_url(media, reply),
            Command::CreateConversation { body, reply } => {
                let Some(config) = &self.config else {
                    let _ = reply.send(Err(Error::Transport("not connected yet".to_owned())));
                    return;
                };
                let url = config.link("conversations");
                let api = self.api.clone();
                platform::spawn(Box::pin(async move {
                    let result = api.command("POST", &url, body, &api::mutation_id()).await;
                    let _ = reply
                        .send(result.map(|b| b["sid"].as_str().unwrap_or_default().to_owned()));
                }));
            }
        }
    }

    /// Fetches the media record for its temporary URL, or waits for the configuration.
    fn media_url(&mut self, media: String, reply: oneshot::Sender<Result<MediaUrl, Error>>) {
        let Some(config) = &self.config else {
            self.media_waiting.retain(|(_, waiting)| !waiting.is_canceled());
            self.media_waiting.push((media, reply));
            return;
        };
        let url = format!("{}/{}", config.link("media_service"), encode(&media));
        let token = self.api.connection.token().unwrap_or_default();
        platform::spawn(Box::pin(async move {
            let _ = reply.send(temporary_url(&url, token).await);
        }));
    }

    /// Asks for the page before the oldest loaded or requested one. Indices are dense, so the
    /// next page's start is known before the previous page arrives: several go at once.
    fn load_older(&mut self, sid: String, reply: oneshot::Sender<Result<bool, Error>>) {
        let Some(c) = self.conversations.get_mut(&sid) else {
            let _ = reply.send(Err(Error::Transport("the conversation is not loaded".to_owned())));
            return;
        };
        let before = match c.older.back() {
            Some(last) => last.before.saturating_sub(OLDER_PAGE_SIZE as u64),
            None => c.oldest_index().unwrap_or(0),
        };
        let Some(url) = c.list_items_url.clone().filter(|_| c.has_older && before > 0) else {
            let _ = reply.send(Ok(false));
            return;
        };
        c.older.push_back(conversation::OlderRequest { before, reply, result: None });
        let api = self.api.clone();
        self.spawn(Box::pin(async move {
            let result = load::list_page(&api, &url, Some(before), OLDER_PAGE_SIZE).await;
            Event::OlderLoaded { sid, before, result }
        }));
    }

    /// Sends a typing indicator unless one went out less than the typing timeout ago.
    fn send_typing(&mut self, conversation: &str) {
        let now = platform::now_millis();
        if !throttle_allows(
            self.typing_sent.get(conversation).copied(),
            now,
            self.typing_timeout_ms,
        ) || !self.connected
        {
            return;
        }
        let Some(config) = &self.config else { return };
        self.typing_sent.insert(conversation.to_owned(), now);
        let (api, url, form) = (
            self.api.clone(),
            config.link("typing"),
            format!("ChannelSid={}", encode(conversation)),
        );
        let tx = self.tx.clone();
        platform::spawn(Box::pin(async move {
            if let Ok(body) = api.post_form(&url, &form).await {
                if let Some(seconds) = body["typing_timeout"].as_u64() {
                    let _ = tx.unbounded_send(Event::TypingTimeout(seconds * 1000));
                }
            }
        }));
    }
}

/// Messages from list items, with their event ids.
fn page(items: &[load::Item]) -> Vec<(u64, crate::model::Message)> {
    items
        .iter()
        .filter_map(|item| {
            let index = item.key.as_u64()?;
            Some((item.event_id, message_from_item(index, &item.data)))
        })
        .collect()
}

/// Twilio's documented life of a temporary media URL.
pub(crate) const MEDIA_URL_LIFE: Duration = Duration::from_secs(300);

/// The media record's `links.content_direct_temporary` and how long it lasts.
async fn temporary_url(url: &str, token: String) -> Result<MediaUrl, Error> {
    let response = platform::get(url, &[("X-Twilio-Token".to_owned(), token)]).await?;
    if !(200..300).contains(&response.status) {
        return Err(Error::Http {
            status: response.status,
            message: crate::auth::error_message(&response.body),
        });
    }
    let record: Value = json::parse(&response.body).map_err(|e| Error::Network(e.to_string()))?;
    let url = record["links"]["content_direct_temporary"]
        .as_str()
        .ok_or_else(|| Error::Network("the media record has no temporary URL".to_owned()))?;
    Ok(MediaUrl { valid_for: url_life(url, platform::now_millis()), url: url.to_owned() })
}

/// How long a temporary URL fetched at `now_ms` lasts. Twilio's are signed CDN URLs whose
/// `Expires` parameter is the end in Unix seconds (`…?Expires=1647355356&Signature=…`). The
/// server's clock wrote it and the caller's reads it, so it may only shorten the documented
/// five minutes: a clock that is behind would otherwise keep dead URLs; one so far ahead that
/// the URL looks expired on arrival leaves the five minutes.
pub(crate) fn url_life(url: &str, now_ms: u64) -> Duration {
    let query = url.split_once('?').map_or("", |(_, q)| q);
    let query = query.split_once('#').map_or(query, |(q, _)| q);
    let expires = query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (key == "Expires").then(|| value.parse::<u64>().ok()).flatten()
    });
    match expires.map(|seconds| seconds.saturating_mul(1000)) {
        Some(end) if end > now_ms => Duration::from_millis(end - now_ms).min(MEDIA_URL_LIFE),
        _ => MEDIA_URL_LIFE,
    }
}

/// Whether a throttled action last done at `last` may run again at `now`.
pub(crate) fn throttle_allows(last: Option<u64>, now: u64, interval_ms: u64) -> bool {
    last.is_none_or(|last| now.saturating_sub(last) >= interval_ms)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{throttle_allows, url_life, MEDIA_URL_LIFE};

    #[test]
    fn test_a_temporary_url_lasts_what_its_expires_says_at_most_five_minutes() {
        let now = 1_647_355_056_000; // 300 s before Twilio's example below.
        let twilio = "https://media.us1.twilio.com/ME59b8?Expires=1647355356&Signature=n05W~j&Key-Pair-Id=APKA";
        assert_eq!(url_life(twilio, now), Duration::from_secs(300));
        assert_eq!(url_life(twilio, now + 296_500), Duration::from_millis(3_500));
        let short =
            "http://127.0.0.1:8788/v1/Services/IS1/Media/ME1/Content?Expires=1647355061&Token=abc";
        assert_eq!(url_life(short, now), Duration::from_secs(5), "an emulator set to 5 s");
        // A clock behind the server's never stretches the documented life.
        assert_eq!(url_life(twilio, now - 600_000), MEDIA_URL_LIFE);
    }

    #[test]
    fn test_a_temporary_url_without_a_usable_expiry_lasts_five_minutes() {
        let now = 1_647_355_056_000;
        for url in [
            "https://media.example/ME1",
            "https://media.example/ME1?Signature=x",
            "https://media.example/ME1?Expires=soon",
            "https://media.example/ME1?NotExpires=1647355061",
            "https://media.example/ME1#Expires=1647355061",
            // Already over when it arrived: the clock is ahead, the URL is not dead.
            "https://media.example/ME1?Expires=1647355000",
            "https://media.example/ME1?Expires=18446744073709551615",
        ] {
            assert_eq!(url_life(url, now), MEDIA_URL_LIFE, "{url}");
        }
    }

    #[test]
    fn test_typing_throttle_on_an_injected_clock() {
        assert!(throttle_allows(None, 0, 5_000));
        assert!(!throttle_allows(Some(1_000), 5_999, 5_000));
        assert!(throttle_allows(Some(1_000), 6_000, 5_000));
        assert!(
            !throttle_allows(Some(9_000), 1_000, 5_000),
            "a clock step back does not allow a burst"
        );
    }
}
