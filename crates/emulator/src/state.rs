//! Shared emulator state: configuration and the registry of live twilsock connections.

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex, MutexGuard,
    },
};

use tokio::sync::mpsc;

use crate::EmulatorConfig;

/// What another part of the emulator can ask a connection's task to do.
#[derive(Debug)]
pub(crate) enum Outbound {
    /// Close the websocket.
    Close,
}

#[derive(Debug)]
struct Connection {
    identity: Option<String>,
    outbound: mpsc::UnboundedSender<Outbound>,
}

/// Cheaply cloneable handle to the emulator's state.
#[derive(Debug, Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: EmulatorConfig,
    addr: SocketAddr,
    next_connection_id: AtomicU64,
    connections: Mutex<HashMap<u64, Connection>>,
}

impl AppState {
    /// State for an emulator serving on `addr`.
    pub fn new(config: EmulatorConfig, addr: SocketAddr) -> Self {
        AppState {
            inner: Arc::new(Inner {
                config,
                addr,
                next_connection_id: AtomicU64::new(1),
                connections: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &EmulatorConfig {
        &self.inner.config
    }

    /// The address the emulator serves on (used to build absolute links).
    pub fn addr(&self) -> SocketAddr {
        self.inner.addr
    }

    /// Identities of the connections that completed `init`, one entry per connection.
    pub fn connected_identities(&self) -> Vec<String> {
        self.connections().values().filter_map(|c| c.identity.clone()).collect()
    }

    /// Closes every websocket (as a redeploy would).
    pub fn close_all_connections(&self) {
        for connection in self.connections().values() {
            let _ = connection.outbound.send(Outbound::Close);
        }
    }

    pub(crate) fn register(&self, outbound: mpsc::UnboundedSender<Outbound>) -> u64 {
        let id = self.inner.next_connection_id.fetch_add(1, Ordering::Relaxed);
        self.connections().insert(id, Connection { identity: None, outbound });
        id
    }

    pub(crate) fn set_identity(&self, connection: u64, identity: &str) {
        if let Some(c) = self.connections().get_mut(&connection) {
            c.identity = Some(identity.to_owned());
        }
    }

    pub(crate) fn unregister(&self, connection: u64) {
        self.connections().remove(&connection);
    }

    fn connections(&self) -> MutexGuard<'_, HashMap<u64, Connection>> {
        // A panic while holding this lock leaves a plain map behind; keep serving.
        self.inner.connections.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
