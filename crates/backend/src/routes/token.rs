//! `POST /api/token {session}`: a fresh access token, and a fresh session handle, for an
//! existing session — never a new conversation. A closed conversation is refused (409) unless
//! the request says `closed_ok: true`: a page load should not connect (a billed active user)
//! just to learn the chat has ended, but a visitor who asks to read its history may.

use std::{
    sync::Arc,
    time::{SystemTime, UNIX_EPOCH},
};

use axum::{extract::State, Json};
use convo_wire::token::{self, Claims};
use serde::{Deserialize, Serialize};

use super::session::parse_json;
use crate::{
    session::{Refusal, Session},
    state::AppState,
    BackendError,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenRequest {
    session: String,
    #[serde(default)]
    closed_ok: bool,
}

/// What the widget needs to connect.
#[derive(Debug, Serialize)]
pub(crate) struct Grant {
    pub(crate) token: String,
    pub(crate) identity: String,
    pub(crate) conversation_sid: String,
    /// RFC 3339, UTC.
    pub(crate) expires_at: String,
    /// The signed session handle to present next time; a new one on every grant.
    pub(crate) session: String,
    /// RFC 3339, UTC: when `session` stops being accepted.
    pub(crate) session_expires_at: String,
    /// The twilsock URL the client connects to (Twilio's for the region, or the emulator's).
    pub(crate) twilsock_url: String,
    /// The Twilio region of `twilsock_url` (`local` for the emulator).
    pub(crate) region: String,
}

pub(crate) async fn refresh(
    State(state): State<Arc<AppState>>,
    body: axum::body::Bytes,
) -> Result<Json<Grant>, BackendError> {
    let request: TokenRequest = parse_json(&body, r#"{"session": "…"}"#)?;
    let session = open_session(&state, &request.session)?;
    match state.twilio.conversation(&session.conversation).await? {
        None => Err(BackendError::Unauthorized(
            "the conversation no longer exists; start a new session".to_owned(),
        )),
        Some(c) if c.state == "closed" && !request.closed_ok => {
            Err(BackendError::ConversationClosed(
                "this conversation has ended; send closed_ok: true for a token to read its \
                 history, or start a new session with new_conversation: true"
                    .to_owned(),
            ))
        }
        Some(_) => Ok(Json(grant(&state, session))),
    }
}

/// The session a handle names, or the error telling the widget why not.
pub(crate) fn open_session(state: &AppState, handle: &str) -> Result<Session, BackendError> {
    Session::open(handle, &state.config.session_secret, unix_now()).map_err(|refusal| match refusal
    {
        Refusal::Invalid => {
            BackendError::Unauthorized("the session is not valid; start a new one".to_owned())
        }
        Refusal::Expired => {
            BackendError::SessionExpired("the session has expired; start a new one".to_owned())
        }
    })
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default()
}

/// A signed access token (chat grant) for `identity`, and its expiry (Unix seconds).
pub(crate) fn access_token(state: &AppState, identity: &str) -> (String, u64) {
    let c = &state.config.credentials;
    let claims = Claims::chat(
        &c.account_sid,
        &c.api_key,
        &c.chat_service_sid,
        identity,
        unix_now(),
        state.config.token_ttl.as_secs(),
    );
    (token::sign(&claims, &c.api_secret), claims.exp)
}

/// Mints a token for the session's identity, and a handle with a fresh expiry.
pub(crate) fn grant(state: &AppState, mut session: Session) -> Grant {
    let session_expires = unix_now().saturating_add(state.config.session_ttl.as_secs());
    session.expires = Some(session_expires);
    let (token, expires) = access_token(state, &session.identity);
    Grant {
        token,
        expires_at: convo_wire::time::rfc3339(expires),
        session: session.seal(&state.config.session_secret),
        session_expires_at: convo_wire::time::rfc3339(session_expires),
        twilsock_url: state.config.twilsock_url.clone(),
        region: state.config.region.clone(),
        identity: session.identity,
        conversation_sid: session.conversation,
    }
}
