//! `POST /api/token {session}`: a fresh access token for an existing session — never a new
//! conversation.

use std::{
    sync::Arc,
    time::{SystemTime, UNIX_EPOCH},
};

use axum::{extract::State, Json};
use convo_wire::token::{self, Claims};
use serde::{Deserialize, Serialize};

use super::session::parse_json;
use crate::{session::Session, state::AppState, BackendError};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenRequest {
    session: String,
}

/// What the widget needs to connect.
#[derive(Debug, Serialize)]
pub(crate) struct Grant {
    pub(crate) token: String,
    pub(crate) identity: String,
    pub(crate) conversation_sid: String,
    /// RFC 3339, UTC.
    pub(crate) expires_at: String,
    /// The signed session handle to present next time.
    pub(crate) session: String,
}

pub(crate) async fn refresh(
    State(state): State<Arc<AppState>>,
    body: axum::body::Bytes,
) -> Result<Json<Grant>, BackendError> {
    let request: TokenRequest = parse_json(&body, r#"{"session": "…"}"#)?;
    let session =
        Session::open(&request.session, &state.config.session_secret).ok_or_else(|| {
            BackendError::Unauthorized("the session is not valid; start a new one".to_owned())
        })?;
    // A deleted conversation cannot be resumed; a closed one still can (to show its history).
    if state.twilio.conversation(&session.conversation).await?.is_none() {
        return Err(BackendError::Unauthorized(
            "the conversation no longer exists; start a new session".to_owned(),
        ));
    }
    Ok(Json(grant(&state, session)))
}

/// Mints a token for the session's identity.
pub(crate) fn grant(state: &AppState, session: Session) -> Grant {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
    let c = &state.config.credentials;
    let claims = Claims::chat(
        &c.account_sid,
        &c.api_key,
        &c.chat_service_sid,
        &session.identity,
        now,
        state.config.token_ttl.as_secs(),
    );
    Grant {
        token: token::sign(&claims, &c.api_secret),
        expires_at: convo_wire::time::rfc3339(claims.exp),
        session: session.seal(&state.config.session_secret),
        identity: session.identity,
        conversation_sid: session.conversation,
    }
}
