//! Shared emulator state: the configuration and the [`World`] behind one lock.
//!
//! One lock keeps every command atomic with the events it publishes, which is what makes
//! replay-then-subscribe gap-free (state.md §2.9). Handlers hold it only while they compute;
//! socket writes happen outside it.

use std::{
    net::SocketAddr,
    sync::{Arc, Mutex, MutexGuard},
};

use crate::{world::World, EmulatorConfig};

/// Cheaply cloneable handle to the emulator's state.
#[derive(Debug, Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: EmulatorConfig,
    addr: SocketAddr,
    world: Mutex<World>,
    faults: Mutex<Faults>,
}

/// Scripted misbehaviour, for tests of clients (set through the `testing` feature's methods).
#[derive(Debug, Default)]
pub(crate) struct Faults {
    /// Replies to this identity's requests are held back by `delay` (or never sent, for
    /// `None`), `count` times — after the request was applied.
    pub(crate) reply_delays: Vec<ReplyDelay>,
}

#[derive(Debug, Clone)]
pub(crate) struct ReplyDelay {
    pub(crate) identity: String,
    pub(crate) delay: Option<std::time::Duration>,
    pub(crate) count: usize,
}

impl AppState {
    /// State for an emulator serving on `addr`.
    pub fn new(config: EmulatorConfig, addr: SocketAddr) -> Self {
        let world = World::new(config.clone(), format!("http://{addr}"));
        AppState {
            inner: Arc::new(Inner {
                config,
                addr,
                world: Mutex::new(world),
                faults: Mutex::new(Faults::default()),
            }),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &EmulatorConfig {
        &self.inner.config
    }

    /// The address the emulator serves on.
    pub fn addr(&self) -> SocketAddr {
        self.inner.addr
    }

    /// Identities of the connections that completed `init`, one entry per connection.
    pub fn connected_identities(&self) -> Vec<String> {
        self.world().connected_identities()
    }

    /// Closes every websocket (as a redeploy would).
    pub fn close_all_connections(&self) {
        self.world().close_connections(None, None);
    }

    /// Takes one scripted reply delay for `identity`, if any: `Some(None)` means "never reply".
    pub(crate) fn take_reply_delay(&self, identity: &str) -> Option<Option<std::time::Duration>> {
        let mut faults = self.inner.faults.lock().unwrap_or_else(|p| p.into_inner());
        let slot =
            faults.reply_delays.iter_mut().find(|d| d.identity == identity && d.count > 0)?;
        slot.count -= 1;
        Some(slot.delay)
    }

    /// The idle hook (HTTP and `testing` method): moves the conversation's last activity
    /// `by_ms` back, then fires what fell due, as the timer tick would.
    pub(crate) fn idle_conversation(&self, conversation: &str, by_ms: u64) -> bool {
        let mut world = self.world();
        let found = world.idle(conversation, by_ms);
        if found {
            crate::timers::fire_due(&mut world, crate::ids::now_millis());
        }
        found
    }

    pub(crate) fn world(&self) -> MutexGuard<'_, World> {
        // A panic while holding the lock cannot leave the world half-changed in a way that
        // matters more than stopping the whole emulator would; keep serving.
        self.inner.world.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Scripted faults for tests of clients. Not for production use.
#[cfg(feature = "testing")]
impl AppState {
    /// Closes every socket of `identity` without a twilsock `close` (as a network drop would).
    pub fn drop_connections(&self, identity: &str) {
        self.world().close_connections(Some(identity), None);
    }

    /// Ends `identity`'s sessions with a twilsock `close` carrying `code` (308 offload, 410
    /// token expired, 406 …).
    pub fn close_with(&self, identity: &str, code: u16, error_code: Option<u32>) {
        let mut status = convo_wire::Status::new(code, "Closed by test");
        status.error_code = error_code;
        self.world().close_connections(Some(identity), Some(status));
    }

    /// Applies the next `count` requests of `identity` but holds their replies back for
    /// `delay` (`None`: never replies).
    pub fn delay_replies(&self, identity: &str, delay: Option<std::time::Duration>, count: usize) {
        let mut faults = self.inner.faults.lock().unwrap_or_else(|p| p.into_inner());
        faults.reply_delays.push(ReplyDelay { identity: identity.to_owned(), delay, count });
    }

    /// Makes `conversation` (SID or unique name) `by` idler: its last activity moves back, so
    /// its timers fire exactly as if that much time had passed in silence, before this returns
    /// (state changes, SDK updates and webhooks as a timer tick makes them). The
    /// `/_testing/idle` hook's method. Whether the conversation exists.
    pub fn idle(&self, conversation: &str, by: std::time::Duration) -> bool {
        let by_ms = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        self.idle_conversation(conversation, by_ms)
    }

    /// Messages of a conversation as `(index, author, body)`, read straight from the state.
    pub fn messages(&self, conversation: &str) -> Vec<(u64, String, Option<String>)> {
        let world = self.world();
        world
            .conversations
            .get(conversation)
            .map(|c| {
                c.messages.values().map(|m| (m.index, m.author.clone(), m.body.clone())).collect()
            })
            .unwrap_or_default()
    }
}
