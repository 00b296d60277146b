//! `convo-widget`: the Leptos component tree of the Convo support chat.
//!
//! Components read the store ([`state::Store`]) and call commands on the handle
//! ([`state::ChatHandle`]); only [`state::bridge`] talks to `convo-client`.

pub mod api;
pub mod app;
#[cfg(all(test, target_arch = "wasm32"))]
mod browser_tests;
pub mod components;
pub mod config;
pub mod dom;
pub mod effect;
pub mod error;
pub mod i18n;
pub mod mount;
pub mod state;
pub mod util;

pub use app::App;
pub use config::WidgetConfig;
pub use mount::{define_element, mount, HOST_ID};

/// The module's entry point, called by the loader (`js/convo-widget.js`) once the wasm is
/// instantiated: defines `<convo-widget>`, fills in `ConvoWidget.init` and runs the calls the
/// page queued (a script tag's `data-*` attributes arrive as a queued `init`).
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn boot() {
    // Panic messages in the console while developing. Release builds leave the hook and its
    // formatting code out of the wasm (a panic there still stops the module, as `unreachable`).
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    define_element();
    api::install_init();
}

/// The demo's agent desk (`www/agent.js` calls it): the list of conversations and the widget,
/// signed in as the demo agent, in a shadow root on `host`.
#[cfg(feature = "agent-desk")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn boot_agent_desk(host: web_sys::Element) {
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    if let Err(error) = mount::mount_agent_desk(&host) {
        web_sys::console::error_1(&format!("Convo: {error}").into());
    }
}
