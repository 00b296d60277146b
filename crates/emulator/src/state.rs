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
}

impl AppState {
    /// State for an emulator serving on `addr`.
    pub fn new(config: EmulatorConfig, addr: SocketAddr) -> Self {
        let world = World::new(config.clone(), format!("http://{addr}"));
        AppState { inner: Arc::new(Inner { config, addr, world: Mutex::new(world) }) }
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

    pub(crate) fn world(&self) -> MutexGuard<'_, World> {
        // A panic while holding the lock cannot leave the world half-changed in a way that
        // matters more than stopping the whole emulator would; keep serving.
        self.inner.world.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
