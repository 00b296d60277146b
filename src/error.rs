//! The widget's one error type.

/// What can go wrong in the widget.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WidgetError {
    /// A command came before the session named its conversation.
    #[error("not connected yet")]
    NotConnected,
    /// The client refused or failed.
    #[error(transparent)]
    Client(#[from] convo_client::Error),
    /// A browser API failed: what was being done, and what the browser said.
    #[error("could not {what}: {detail}")]
    Browser { what: &'static str, detail: String },
    /// The page configured or called the widget wrongly.
    #[error("{0}")]
    Usage(String),
    /// The demo backend answered unexpectedly.
    #[error("{0}")]
    Backend(String),
}

impl WidgetError {
    /// A browser API's failure while doing `what`.
    pub fn browser(what: &'static str) -> impl Fn(wasm_bindgen::JsValue) -> WidgetError {
        move |e| WidgetError::Browser { what, detail: format!("{e:?}") }
    }
}
