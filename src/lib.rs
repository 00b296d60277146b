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
pub mod mount;
pub mod state;
pub mod util;

pub use app::App;
pub use config::WidgetConfig;
pub use mount::{define_element, mount, HOST_ID};
