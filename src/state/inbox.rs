//! The agent desk's state: its list of conversations, from the demo backend's
//! `/api/agent/conversations` (refreshed every few seconds for as long as the desk is on the
//! page), the marks of each (unread, typing, resolved: fed by the desk's own client, as the
//! agent, through [`bridge::connect_desk`]), and the desk's one command, resolving a
//! conversation.

use std::{collections::HashMap, sync::Arc, time::Duration};

use convo_client::{
    platform::{self, BoxFuture, CredentialsMode},
    Token, TokenProvider,
};
use leptos::prelude::*;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::{
    bridge::{self, DeskLive},
    desk::Marks,
};
use crate::error::WidgetError;

/// How often the list is fetched again.
const REFRESH: Duration = Duration::from_secs(3);
/// The demo backend's agent routes (only with the embedded emulator).
const CONVERSATIONS_URL: &str = "/api/agent/conversations";
const RESOLVE_URL: &str = "/api/agent/resolve";
const DESK_TOKEN_URL: &str = "/api/agent/desk";

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
    /// The email the visitor gave, if any.
    #[serde(default)]
    pub email: Option<String>,
    /// The start of the pre-chat question (the whole of it is the first message).
    #[serde(default)]
    pub question: Option<String>,
    /// The page the visitor started the chat on.
    #[serde(default)]
    pub page: Option<Page>,
    /// What the host page attached to the conversation.
    #[serde(default)]
    pub host: Map<String, Value>,
    /// The answers to the host's custom pre-chat fields.
    #[serde(default)]
    pub fields: Vec<FieldAnswer>,
    /// A message left while support was closed: the visitor expects a reply by email.
    #[serde(default)]
    pub offline: bool,
}

/// An answer to a custom pre-chat field: a string, or `true`/`false` for a consent.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct FieldAnswer {
    pub label: String,
    pub value: Value,
}

impl Summary {
    /// Whether the backend lists it as closed.
    pub fn closed(&self) -> bool {
        self.state == "closed"
    }
}

/// A page of the host site.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Page {
    pub url: Option<String>,
    pub title: Option<String>,
}

/// The desk's state. `Copy`, so components capture it freely.
#[derive(Debug, Clone, Copy)]
pub struct Inbox {
    /// Newest first.
    pub conversations: RwSignal<Vec<Summary>>,
    /// The last fetch's failure; `None` once one succeeds.
    pub error: RwSignal<Option<WidgetError>>,
    /// The conversation being resolved, while the backend is asked.
    pub resolving: RwSignal<Option<String>>,
    /// Why resolving a conversation failed: `(sid, message)`.
    pub resolve_error: RwSignal<Option<(String, String)>>,
    /// One signal per conversation, so a new message or a typing visitor touches one row.
    marks: StoredValue<HashMap<String, RwSignal<Marks>>>,
    /// Signals created for rows belong to the desk, not to whatever task made them.
    owner: StoredValue<Owner>,
    live: StoredValue<Option<DeskLive>>,
}

impl Inbox {
    /// Fetches the list now and then every [`REFRESH`], and connects the desk's own client;
    /// both stop when the desk leaves the page.
    pub fn start() -> Self {
        let inbox = Inbox {
            conversations: RwSignal::new(Vec::new()),
            error: RwSignal::new(None),
            resolving: RwSignal::new(None),
            resolve_error: RwSignal::new(None),
            marks: StoredValue::new(HashMap::new()),
            owner: StoredValue::new(Owner::current().unwrap_or_default()),
            live: StoredValue::new(None),
        };
        leptos::task::spawn_local(async move {
            loop {
                let fetched = fetch_list().await;
                // The desk left the page.
                if inbox.conversations.is_disposed() {
                    break;
                }
                match fetched {
                    Ok(list) => inbox.show(list),
                    Err(error) => inbox.error.set(Some(error)),
                }
                platform::sleep(REFRESH).await;
            }
        });
        let tokens = Arc::new(DeskTokens { url: DESK_TOKEN_URL.to_owned() });
        inbox.live.set_value(Some(bridge::connect_desk(inbox, tokens)));
        on_cleanup(move || {
            if let Some(live) = inbox.live.try_get_value().flatten() {
                live.shutdown();
            }
        });
        inbox
    }

    fn show(&self, list: Vec<Summary>) {
        if self.conversations.with_untracked(|old| *old != list) {
            self.conversations.set(list);
        }
        self.error.set(None);
    }

    /// Whether the desk has left the page.
    pub fn is_disposed(&self) -> bool {
        self.conversations.is_disposed()
    }

    /// The marks of conversation `sid` (no marks until its client knows it).
    pub fn marks(&self, sid: &str) -> RwSignal<Marks> {
        let owner = self.owner.get_value();
        self.marks
            .try_update_value(|marks| {
                *marks
                    .entry(sid.to_owned())
                    .or_insert_with(|| owner.with(|| RwSignal::new(Marks::default())))
            })
            .unwrap_or_else(|| RwSignal::new(Marks::default()))
    }

    /// Sets the marks of `sid`, waking its row only when they changed.
    pub fn set_marks(&self, sid: &str, marks: Marks) {
        let signal = self.marks(sid);
        if signal.try_get_untracked().is_some_and(|now| now != marks) {
            signal.set(marks);
        }
    }

    /// Resolves conversation `sid` (closes it): the list marks it as soon as the backend
    /// confirms, without waiting for the next refresh.
    pub fn resolve(&self, sid: String) {
        if self.resolving.get_untracked().is_some() {
            return;
        }
        let inbox = *self;
        inbox.resolve_error.set(None);
        inbox.resolving.set(Some(sid.clone()));
        leptos::task::spawn_local(async move {
            let result = post_resolve(&sid).await;
            if inbox.is_disposed() {
                return;
            }
            inbox.resolving.set(None);
            match result {
                Ok(state) => inbox.conversations.update(|list| {
                    if let Some(c) = list.iter_mut().find(|c| c.sid == sid) {
                        c.state = state;
                    }
                }),
                Err(error) => inbox.resolve_error.set(Some((sid, error.to_string()))),
            }
        });
    }
}

/// The desk client's tokens: `POST /api/agent/desk` gives a fresh one each time.
struct DeskTokens {
    url: String,
}

impl TokenProvider for DeskTokens {
    fn fetch(&self) -> BoxFuture<'_, Result<Token, convo_client::Error>> {
        Box::pin(async move {
            let response =
                platform::post_json(&self.url, &[], CredentialsMode::SameOrigin, "{}".to_owned())
                    .await?;
            let http =
                |message: String| convo_client::Error::Http { status: response.status, message };
            if !(200..300).contains(&response.status) {
                return Err(http(convo_client::error_message(&response.body)));
            }
            serde_json::from_slice(&response.body)
                .map_err(|e| http(format!("the backend answered without a token: {e}")))
        })
    }
}

async fn fetch_list() -> Result<Vec<Summary>, WidgetError> {
    let text = request(CONVERSATIONS_URL, None).await?;
    serde_json::from_str(&text).map_err(|e| WidgetError::Backend(format!("unexpected list: {e}")))
}

/// Asks the backend to resolve `sid`; the conversation's state it answers with.
async fn post_resolve(sid: &str) -> Result<String, WidgetError> {
    #[derive(Deserialize)]
    struct Resolved {
        state: String,
    }
    let url = format!("{RESOLVE_URL}?conversation={sid}");
    let text = request(&url, Some("{}")).await?;
    serde_json::from_str::<Resolved>(&text)
        .map(|r| r.state)
        .map_err(|e| WidgetError::Backend(format!("unexpected answer: {e}")))
}

/// GETs `url`, or POSTs `body` to it as JSON (the desk's routes take JSON only); the answer's
/// text, or why there is none.
async fn request(url: &str, body: Option<&str>) -> Result<String, WidgetError> {
    let response = match body {
        None => platform::get(url, &[]).await?,
        Some(body) => {
            platform::post_json(url, &[], CredentialsMode::SameOrigin, body.to_owned()).await?
        }
    };
    if !(200..300).contains(&response.status) {
        return Err(WidgetError::Backend(convo_client::error_message(&response.body)));
    }
    Ok(String::from_utf8_lossy(&response.body).into_owned())
}
