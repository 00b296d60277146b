//! `convo-widget`: the Leptos component tree of the Convo support chat.
//!
//! Components read the store ([`state::Store`]) and call commands on the handle
//! ([`state::ChatHandle`]); only [`state::bridge`] talks to `convo-client`.

pub mod api;
pub mod app;
pub mod components;
pub mod config;
pub mod dom;
pub mod i18n;
pub mod state;

pub use app::App;
pub use config::WidgetConfig;

/// Mounts the widget at the end of `<body>` and keeps it mounted for the page's life.
pub fn mount_to_body(config: WidgetConfig) {
    leptos::mount::mount_to_body(move || leptos::view! { <App config /> });
}
pub mod util;
