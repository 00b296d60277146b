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
        move |e| WidgetError::Browser { what, detail: js_text(&e) }
    }
}

/// What a thrown JS value says: a string as it is, an `Error` (or `DOMException`) as its
/// `toString()`, `Name: message`. Not `{:?}`: `JsValue`'s Debug pulls Rust's formatting
/// machinery into the shipped wasm (issue 15).
fn js_text(e: &wasm_bindgen::JsValue) -> String {
    use wasm_bindgen::JsCast;
    e.as_string()
        .or_else(|| e.dyn_ref::<js_sys::Object>().map(|o| o.to_string().into()))
        .unwrap_or_else(|| "unknown error".to_owned())
}
