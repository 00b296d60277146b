//! The root component: creates the store and the handle, provides them, lays out the widget.

use leptos::prelude::*;

use crate::{
    components::{Launcher, Panel},
    state::{ChatHandle, Store},
    WidgetConfig,
};

/// The whole widget: launcher button and chat panel.
#[component]
pub fn App(
    /// Where the widget gets tokens and connects.
    config: WidgetConfig,
) -> impl IntoView {
    let store = Store::new();
    provide_context(store);
    provide_context(ChatHandle::new(store, config));
    view! {
        <div class="convo-root">
            <Panel />
            <Launcher />
        </div>
    }
}
