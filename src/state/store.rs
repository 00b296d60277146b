//! The reactive store: everything components render.

use convo_client::ConnectionState;
use leptos::prelude::*;

/// Widget state as signals. `Copy`, so components capture it freely.
#[derive(Debug, Clone, Copy)]
pub struct Store {
    /// Whether the chat panel is open.
    pub open: RwSignal<bool>,
    /// The connection to Twilio, as `convo-client` reports it.
    pub connection: RwSignal<ConnectionState>,
}

impl Store {
    /// A closed widget that has not connected yet.
    pub fn new() -> Self {
        Store {
            open: RwSignal::new(false),
            connection: RwSignal::new(ConnectionState::Disconnected),
        }
    }

    /// The store provided by the enclosing [`crate::App`].
    #[track_caller]
    pub fn expect() -> Self {
        expect_context::<Store>()
    }
}

impl Default for Store {
    fn default() -> Self {
        Store::new()
    }
}
