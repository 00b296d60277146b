//! The agent desk's list of conversations, from the demo backend's `/api/agent/conversations`,
//! refreshed every few seconds for as long as the desk is on the page.

use std::time::Duration;

use leptos::prelude::*;
use serde::Deserialize;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::error::WidgetError;

/// How often the list is fetched again.
const REFRESH: Duration = Duration::from_secs(3);

/// A visitor's conversation, as the backend lists it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Summary {
    /// CH…
    pub sid: String,
    /// `active`, `inactive` or `closed`.
    pub state: String,
    /// The name the visitor gave, if any.
    pub visitor: Option<String>,
    /// RFC 3339.
    pub date_created: String,
}

/// The list, and why the last fetch failed (if it did).
#[derive(Debug, Clone, Copy)]
pub struct Inbox {
    /// Newest first.
    pub conversations: RwSignal<Vec<Summary>>,
    /// The last fetch's failure; `None` once one succeeds.
    pub error: RwSignal<Option<WidgetError>>,
}

impl Inbox {
    /// Fetches `url` now and then every [`REFRESH`].
    pub fn start(url: &'static str) -> Self {
        let inbox = Inbox { conversations: RwSignal::new(Vec::new()), error: RwSignal::new(None) };
        leptos::task::spawn_local(async move {
            loop {
                let fetched = fetch(url).await;
                // The desk left the page.
                if inbox.conversations.is_disposed() {
                    break;
                }
                match fetched {
                    Ok(list) => {
                        if inbox.conversations.with_untracked(|old| *old != list) {
                            inbox.conversations.set(list);
                        }
                        inbox.error.set(None);
                    }
                    Err(error) => inbox.error.set(Some(error)),
                }
                convo_client::platform::sleep(REFRESH).await;
            }
        });
        inbox
    }
}

async fn fetch(url: &str) -> Result<Vec<Summary>, WidgetError> {
    let failed = WidgetError::browser;
    let response: web_sys::Response = JsFuture::from(window().fetch_with_str(url))
        .await
        .map_err(failed("reach the backend"))?
        .unchecked_into();
    if !response.ok() {
        return Err(WidgetError::Backend(format!("the backend answered {}", response.status())));
    }
    let text = JsFuture::from(response.text().map_err(failed("read the list"))?)
        .await
        .map_err(failed("read the list"))?
        .as_string()
        .unwrap_or_default();
    serde_json::from_str(&text).map_err(|e| WidgetError::Backend(format!("unexpected list: {e}")))
}
