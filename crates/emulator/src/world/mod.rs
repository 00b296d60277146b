//! The emulated service's state: users, conversations, participants, messages and media, kept
//! in step with the Sync objects clients read. Every command here changes the domain state and
//! its Sync mirror together and pushes the resulting events to subscribed connections.
//!
//! Commands trust their caller: authorization (who may do what) is checked by the API layers
//! (`aim` for SDK clients, the REST API for servers) before they call in.

mod connections;
mod conversations;
mod json;
mod messages;
mod roles;
mod users;

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use axum::body::Bytes;
use convo_wire::Status;
use serde_json::Value;
use tokio::sync::mpsc;

pub(crate) use conversations::{ConversationUpdate, State};
pub(crate) use messages::NewMessage;
pub(crate) use roles::{Permission, Role, RoleType, Roles};

use crate::{
    sync::SyncStore,
    webhooks::{DomainEvent, WebhookConfig, WebhookJob},
    EmulatorConfig,
};

/// What a connection's task is asked to do by the rest of the emulator.
#[derive(Debug)]
pub(crate) enum Outbound {
    /// Send these encoded twilsock bytes.
    Frame(Bytes),
    /// Send a twilsock `close` with this status (if any), then close the socket.
    Close(Option<Status>),
}

/// A live twilsock connection.
#[derive(Debug)]
pub(crate) struct Connection {
    pub(crate) identity: Option<String>,
    outbound: mpsc::UnboundedSender<Outbound>,
    /// Sync objects with an established subscription.
    pub(crate) subscriptions: HashSet<String>,
}

/// Who may read a Sync object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Access {
    /// Only this identity (its own my-conversations map).
    Owner(String),
    /// The chat participants of this conversation, and its creator (the SDK opens a
    /// conversation it created before joining it).
    Participants(String),
    /// Any user (user-info maps: names and presence are public within the service).
    AnyUser,
}

#[derive(Debug)]
pub(crate) struct User {
    pub(crate) sid: String,
    pub(crate) identity: String,
    pub(crate) friendly_name: Option<String>,
    pub(crate) attributes: String,
    /// Its service-scope role.
    pub(crate) role_sid: String,
    pub(crate) user_info: String,
    pub(crate) my_conversations: String,
    pub(crate) online: bool,
    pub(crate) date_created: u64,
    pub(crate) date_updated: u64,
}

#[derive(Debug, Clone)]
pub(crate) struct Participant {
    pub(crate) sid: String,
    /// `None` for SMS/WhatsApp participants.
    pub(crate) identity: Option<String>,
    pub(crate) kind: String,
    pub(crate) attributes: String,
    pub(crate) messaging_binding: Option<Value>,
    pub(crate) role_sid: String,
    pub(crate) date_created: u64,
    pub(crate) date_updated: u64,
    pub(crate) last_read: Option<u64>,
    pub(crate) last_read_at: Option<u64>,
    pub(crate) notification_level: String,
}

#[derive(Debug, Clone)]
pub(crate) struct MediaRef {
    pub(crate) sid: String,
    pub(crate) size: usize,
    pub(crate) content_type: String,
    pub(crate) filename: Option<String>,
    pub(crate) category: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Message {
    pub(crate) sid: String,
    pub(crate) index: u64,
    pub(crate) author: String,
    pub(crate) participant_sid: Option<String>,
    pub(crate) body: Option<String>,
    pub(crate) subject: Option<String>,
    pub(crate) attributes: String,
    pub(crate) media: Vec<MediaRef>,
    pub(crate) date_created: u64,
    pub(crate) date_updated: u64,
    pub(crate) last_updated_by: Option<String>,
}

#[derive(Debug)]
pub(crate) struct Conversation {
    pub(crate) sid: String,
    pub(crate) unique_name: Option<String>,
    pub(crate) friendly_name: Option<String>,
    pub(crate) attributes: String,
    pub(crate) created_by: String,
    pub(crate) date_created: u64,
    pub(crate) date_updated: u64,
    pub(crate) state: State,
    pub(crate) state_updated: u64,
    pub(crate) next_index: u64,
    /// `Timers.Inactive` / `Timers.Closed`, in seconds of inactivity.
    pub(crate) timer_inactive: Option<f64>,
    pub(crate) timer_closed: Option<f64>,
    /// The last message (or creation), which the timers count from (Unix ms).
    pub(crate) last_activity: u64,
    pub(crate) document: String,
    pub(crate) list: String,
    pub(crate) roster: String,
    /// Keyed by participant SID.
    pub(crate) participants: BTreeMap<String, Participant>,
    /// Keyed by message index.
    pub(crate) messages: BTreeMap<u64, Message>,
}

impl Conversation {
    /// When the inactive / closed timers fire (Unix ms), if set.
    pub(crate) fn timer_deadlines(&self) -> (Option<u64>, Option<u64>) {
        // Saturating: Twilio states no maximum, and `P99999999999W` must not overflow.
        let at = |secs: Option<f64>| {
            secs.map(|s| self.last_activity.saturating_add((s * 1000.0) as u64))
        };
        (at(self.timer_inactive), at(self.timer_closed))
    }

    pub(crate) fn participant_by_identity(&self, identity: &str) -> Option<&Participant> {
        self.participants.values().find(|p| p.identity.as_deref() == Some(identity))
    }

    pub(crate) fn is_participant(&self, identity: &str) -> bool {
        self.participant_by_identity(identity).is_some()
    }
}

/// An uploaded media file.
#[derive(Debug, Clone)]
pub(crate) struct Media {
    pub(crate) sid: String,
    pub(crate) bytes: Bytes,
    pub(crate) content_type: String,
    pub(crate) filename: Option<String>,
    pub(crate) category: String,
    pub(crate) author: String,
    pub(crate) date_created: u64,
    /// The conversation and message it is attached to, once sent.
    pub(crate) attached_to: Option<(String, String)>,
    /// The secret in its temporary content URL, and when it stops working (Unix ms).
    pub(crate) temporary_token: String,
    pub(crate) temporary_expires: u64,
}

/// The account's default conversation timers (Configuration `DefaultInactiveTimer` /
/// `DefaultClosedTimer`), set on every conversation created afterwards: each as given (it is
/// reported back so) and in seconds.
#[derive(Debug, Default, Clone)]
pub(crate) struct DefaultTimers {
    pub(crate) inactive: Option<(String, f64)>,
    pub(crate) closed: Option<(String, f64)>,
}

/// One identity's recently applied commands, by mutation id, oldest first.
#[derive(Debug, Default)]
struct RecentMutations {
    outcomes: HashMap<String, (u16, Value)>,
    order: VecDeque<String>,
}

/// Everything the emulator knows.
#[derive(Debug)]
pub(crate) struct World {
    pub(crate) config: EmulatorConfig,
    pub(crate) base_url: String,
    pub(crate) sync: SyncStore,
    pub(crate) users: HashMap<String, User>,
    pub(crate) conversations: HashMap<String, Conversation>,
    conversation_names: HashMap<String, String>,
    access: HashMap<String, Access>,
    pub(crate) connections: HashMap<u64, Connection>,
    pub(crate) media: HashMap<String, Media>,
    pub(crate) roles: Roles,
    pub(crate) webhooks: WebhookConfig,
    pub(crate) default_timers: DefaultTimers,
    pub(crate) webhook_queue: Option<mpsc::UnboundedSender<WebhookJob>>,
    pub(crate) pending_events: Vec<DomainEvent>,
    /// Outcomes of applied commands, per identity by mutation id, so a retried command is
    /// answered again instead of applied twice. Bounded per identity: one client's flood of
    /// commands can never push out another's records.
    mutations: HashMap<String, RecentMutations>,
    next_connection: u64,
    next_push: u64,
}

impl World {
    pub(crate) fn new(config: EmulatorConfig, base_url: String) -> Self {
        World {
            config,
            sync: SyncStore::new(base_url.clone()),
            base_url,
            users: HashMap::new(),
            conversations: HashMap::new(),
            conversation_names: HashMap::new(),
            access: HashMap::new(),
            connections: HashMap::new(),
            media: HashMap::new(),
            roles: Roles::new(),
            webhooks: WebhookConfig::default(),
            default_timers: DefaultTimers::default(),
            webhook_queue: None,
            pending_events: Vec::new(),
            mutations: HashMap::new(),
            next_connection: 1,
            next_push: 1,
        }
    }

    /// Whether `identity` may read Sync object `sid`.
    pub(crate) fn can_read(&self, identity: &str, sid: &str) -> bool {
        match self.access.get(sid) {
            Some(Access::Owner(owner)) => owner == identity,
            Some(Access::Participants(conversation)) => self
                .conversations
                .get(conversation)
                .is_some_and(|c| c.created_by == identity || c.is_participant(identity)),
            Some(Access::AnyUser) => true,
            None => false,
        }
    }

    /// A conversation by SID or unique name.
    pub(crate) fn conversation_id(&self, id: &str) -> Option<String> {
        if self.conversations.contains_key(id) {
            return Some(id.to_owned());
        }
        self.conversation_names.get(id).cloned()
    }

    /// The outcome recorded for a mutation id, if the command was already applied.
    pub(crate) fn applied_mutation(&self, identity: &str, id: &str) -> Option<(u16, Value)> {
        self.mutations.get(identity)?.outcomes.get(id).cloned()
    }

    /// Remembers a command's outcome under its mutation id (the identity's most recent
    /// `quotas.mutations_per_identity`).
    pub(crate) fn record_mutation(&mut self, identity: &str, id: &str, outcome: (u16, Value)) {
        let remembered = self.config.quotas.mutations_per_identity;
        let recent = self.mutations.entry(identity.to_owned()).or_default();
        if recent.outcomes.insert(id.to_owned(), outcome).is_none() {
            recent.order.push_back(id.to_owned());
        }
        while recent.order.len() > remembered {
            if let Some(old) = recent.order.pop_front() {
                recent.outcomes.remove(&old);
            }
        }
    }

    /// The service SID every URL carries.
    pub(crate) fn service_sid(&self) -> &str {
        &self.config.credentials.chat_service_sid
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn test_one_identitys_commands_never_evict_anothers_records() {
        let mut config = EmulatorConfig::default();
        config.quotas.mutations_per_identity = 3;
        let mut world = World::new(config, "http://127.0.0.1:1".to_owned());
        world.record_mutation("alice", "m-1", (201, json!({ "sid": "IM1" })));
        for n in 0..50 {
            world.record_mutation("mallory", &format!("flood-{n}"), (200, json!({})));
        }
        assert_eq!(world.applied_mutation("alice", "m-1"), Some((201, json!({ "sid": "IM1" }))));
        assert_eq!(world.mutations["mallory"].outcomes.len(), 3, "bounded per identity");
        assert!(world.applied_mutation("mallory", "flood-49").is_some());
        assert!(world.applied_mutation("mallory", "flood-0").is_none(), "oldest forgotten");
        assert!(world.applied_mutation("mallory", "m-1").is_none(), "records are per identity");
    }
}
