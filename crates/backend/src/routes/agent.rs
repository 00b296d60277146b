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
use serde_json::{json, Value};

use super::token::{grant, Grant};
use crate::{session::Session, state::AppState, BackendError};

/// The desk's one agent.
pub(crate) const AGENT_IDENTITY: &str = "demo-agent";
const AGENT_NAME: &str = "Sam (demo agent)";
/// Twilio's "participant already exists".
const ALREADY_A_PARTICIPANT: u32 = 50433;

/// A visitor's conversation in the desk's list.
#[derive(Debug, Serialize)]
pub(crate) struct Summary {
    sid: String,
    state: String,
    /// The name the visitor gave in the pre-chat form.
    visitor: Option<String>,
    date_created: String,
}

/// `GET /api/agent/conversations`: the widget's conversations, newest first.
pub(crate) async fn conversations(
    State(state): State<Arc<AppState>>,
) -> Result<Json<Vec<Summary>>, BackendError> {
    let summaries = state
        .twilio
        .recent_conversations()
        .await?
        .into_iter()
        .filter_map(|c| {
            let attributes: Value = serde_json::from_str(&c.attributes).ok()?;
            (attributes["source"] == "convo-widget").then(|| Summary {
                visitor: attributes["visitor"]["name"].as_str().map(str::to_owned),
                sid: c.sid,
                state: c.state,
                date_created: c.date_created,
            })
        })
        .collect();
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
    let sid = target.conversation;
    let well_formed =
        sid.len() == 34 && sid.starts_with("CH") && sid[2..].bytes().all(|b| b.is_ascii_hexdigit());
    if !well_formed {
        return Err(BackendError::BadRequest(format!("not a conversation SID: {sid:?}")));
    }
    if state.twilio.conversation(&sid).await?.is_none() {
        return Err(BackendError::BadRequest(format!("no conversation {sid}")));
    }
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
