//! The demo's agent desk (`www/agent.html`): lists the widget's conversations and answers them
//! as one agent, so a newcomer can chat with themselves in two tabs. Mounted only with the
//! embedded emulator: against real Twilio, agents answer from their own tools, and an open
//! endpoint handing out agent tokens would be a hole.

use std::sync::Arc;

use axum::{
    extract::{Query, State},
    Json,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::token::{access_token, grant, Grant};
use crate::{session::Session, state::AppState, twilio::ConversationSummary, BackendError};

/// The desk's one agent.
pub(crate) const AGENT_IDENTITY: &str = "demo-agent";
const AGENT_NAME: &str = "Sam (demo agent)";
/// Twilio's "participant already exists".
const ALREADY_A_PARTICIPANT: u32 = 50433;

/// A visitor's conversation in the desk's list, with what the desk's details panel shows.
#[derive(Debug, Serialize)]
pub(crate) struct Summary {
    sid: String,
    state: String,
    /// The name the visitor gave in the pre-chat form.
    visitor: Option<String>,
    date_created: String,
    /// The email the visitor gave.
    email: Option<String>,
    /// The start of the pre-chat question (the whole of it is the first message).
    question: Option<String>,
    /// The page the visitor started the chat on.
    page: Option<Page>,
    /// What the host page attached (`setAttributes`), as it gave them.
    host: Map<String, Value>,
    /// The custom pre-chat fields answered: `{ id, label, value }` (a consent's value is
    /// `true`/`false`).
    fields: Vec<Value>,
    /// A message left while support was closed: the visitor expects a reply by email.
    offline: bool,
}

/// A page of the host site.
#[derive(Debug, Serialize)]
pub(crate) struct Page {
    url: Option<String>,
    title: Option<String>,
}

impl Summary {
    /// The summary of a widget's conversation; `None` for any other (another tool's).
    fn of(conversation: ConversationSummary) -> Option<Summary> {
        let attributes: Value = serde_json::from_str(&conversation.attributes).ok()?;
        if attributes["source"] != "convo-widget" {
            return None;
        }
        let text = |value: &Value| value.as_str().map(str::to_owned);
        let visitor = &attributes["visitor"];
        let page = &attributes["page"];
        Some(Summary {
            visitor: text(&visitor["name"]),
            email: text(&visitor["email"]),
            question: text(&visitor["question"]),
            page: page
                .is_object()
                .then(|| Page { url: text(&page["url"]), title: text(&page["title"]) }),
            host: attributes["host"].as_object().cloned().unwrap_or_default(),
            // Only entries of the stored shape: attributes anyone with REST access could edit.
            fields: attributes["fields"]
                .as_array()
                .map(|fields| {
                    fields
                        .iter()
                        .filter(|f| {
                            f["id"].is_string()
                                && f["label"].is_string()
                                && (f["value"].is_string() || f["value"].is_boolean())
                        })
                        .map(|f| json!({ "id": f["id"], "label": f["label"], "value": f["value"] }))
                        .collect()
                })
                .unwrap_or_default(),
            offline: attributes["offline"] == true,
            sid: conversation.sid,
            state: conversation.state,
            date_created: conversation.date_created,
        })
    }
}

/// `GET /api/agent/conversations`: the widget's conversations, newest first.
pub(crate) async fn conversations(
    State(state): State<Arc<AppState>>,
) -> Result<Json<Vec<Summary>>, BackendError> {
    let summaries =
        state.twilio.recent_conversations().await?.into_iter().filter_map(Summary::of).collect();
    Ok(Json(summaries))
}

#[derive(Debug, Deserialize)]
pub(crate) struct Target {
    conversation: String,
}

/// `POST /api/agent/session?conversation=CH…`: joins the agent to the conversation (once) and
/// grants a session for it — the same grant a visitor gets, so the widget's own components
/// (and `/api/token` for refreshes) serve the agent too. The body, a widget's session form, is
/// ignored.
pub(crate) async fn session(
    State(state): State<Arc<AppState>>,
    Query(target): Query<Target>,
) -> Result<Json<Grant>, BackendError> {
    let sid = existing(&state, target).await?;
    let attributes = json!({ "role": "agent", "friendlyName": AGENT_NAME }).to_string();
    match state.twilio.add_participant(&sid, AGENT_IDENTITY, &attributes).await {
        Err(BackendError::Twilio(e)) if e.code == ALREADY_A_PARTICIPANT => {}
        other => other?,
    }
    // The `role` above is only a display hint the agent could rewrite like anyone's own
    // attributes; who is staff is told by the conversation's `staff` map (F11).
    state.twilio.record_staff(&sid, AGENT_IDENTITY, "agent").await?;
    Ok(Json(grant(
        &state,
        Session { identity: AGENT_IDENTITY.to_owned(), conversation: sid, expires: None },
    )))
}

/// The target conversation's SID, once it is known to be one that exists.
async fn existing(state: &AppState, target: Target) -> Result<String, BackendError> {
    let sid = target.conversation;
    let well_formed =
        sid.len() == 34 && sid.starts_with("CH") && sid[2..].bytes().all(|b| b.is_ascii_hexdigit());
    if !well_formed {
        return Err(BackendError::BadRequest(format!("not a conversation SID: {sid:?}")));
    }
    if state.twilio.conversation(&sid).await?.is_none() {
        return Err(BackendError::BadRequest(format!("no conversation {sid}")));
    }
    Ok(sid)
}

/// What `POST /api/agent/resolve` answers.
#[derive(Debug, Serialize)]
pub(crate) struct Resolved {
    sid: String,
    state: String,
}

/// `POST /api/agent/resolve?conversation=CH…`: the agent resolves the conversation — it is
/// closed (Twilio's `State=closed`), so the visitor's widget shows that it has ended and nobody
/// can write in it any more. Resolving a resolved conversation changes nothing. The body is
/// ignored (it is JSON only so that another site cannot send it without a CORS preflight).
pub(crate) async fn resolve(
    State(state): State<Arc<AppState>>,
    Query(target): Query<Target>,
) -> Result<Json<Resolved>, BackendError> {
    let sid = existing(&state, target).await?;
    let closed = state.twilio.close_conversation(&sid).await?;
    Ok(Json(Resolved { sid: closed.sid, state: closed.state }))
}

/// An access token for the desk itself, as the agent: the desk's own client follows every
/// conversation the agent has joined (unread counts, typing) while one of them is open.
#[derive(Debug, Serialize)]
pub(crate) struct DeskToken {
    token: String,
    identity: String,
    /// RFC 3339, UTC.
    expires_at: String,
    twilsock_url: String,
}

/// `POST /api/agent/desk`: a fresh token for the desk's client (its first and every refresh).
/// The body is ignored.
pub(crate) async fn desk(State(state): State<Arc<AppState>>) -> Json<DeskToken> {
    let (token, expires) = access_token(&state, AGENT_IDENTITY);
    Json(DeskToken {
        token,
        identity: AGENT_IDENTITY.to_owned(),
        expires_at: convo_wire::time::rfc3339(expires),
        twilsock_url: state.config.twilsock_url.clone(),
    })
}
