//! The commands components call. The handle owns the client; components never see it.

use convo_client::Client;
use leptos::prelude::*;

use super::{bridge, Store};
use crate::WidgetConfig;

/// What components can ask the widget to do.
#[derive(Debug, Clone, Copy)]
pub struct ChatHandle {
    store: Store,
    config: StoredValue<WidgetConfig>,
    client: StoredValue<Option<Client>>,
}

impl ChatHandle {
    /// A handle over `store`; it connects on first open.
    pub fn new(store: Store, config: WidgetConfig) -> Self {
        ChatHandle { store, config: StoredValue::new(config), client: StoredValue::new(None) }
    }

    /// The handle provided by the enclosing [`crate::App`].
    #[track_caller]
    pub fn expect() -> Self {
        expect_context::<ChatHandle>()
    }

    /// Opens the panel, connecting the first time.
    pub fn open(&self) {
        self.store.open.set(true);
        if self.client.with_value(Option::is_none) {
            let client = bridge::connect(self.store, &self.config.get_value());
            self.client.set_value(Some(client));
        }
    }

    /// Closes the panel (the connection stays up so nothing is missed).
    pub fn close(&self) {
        self.store.open.set(false);
    }

    /// Opens a closed panel, closes an open one.
    pub fn toggle(&self) {
        if self.store.open.get_untracked() {
            self.close();
        } else {
            self.open();
        }
    }
}
