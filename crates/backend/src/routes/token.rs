//! `POST /api/token`: an access token for a visitor.

use std::{
    sync::Arc,
    time::{SystemTime, UNIX_EPOCH},
};

use axum::{body::Bytes, extract::State, Json};
use convo_wire::token::{self, Claims};
use serde::{Deserialize, Serialize};

use crate::{BackendConfig, BackendError};

/// Twilio identities are at most 256 characters.
const MAX_IDENTITY_CHARS: usize = 256;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenRequest {
    identity: Option<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct TokenResponse {
    token: String,
    identity: String,
    /// RFC 3339, UTC.
    expires_at: String,
}

pub(crate) async fn issue(
    State(config): State<Arc<BackendConfig>>,
    body: Bytes,
) -> Result<Json<TokenResponse>, BackendError> {
    let request: TokenRequest = if body.iter().all(u8::is_ascii_whitespace) {
        TokenRequest::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            BackendError::BadRequest(format!(
                "the body must be a JSON object like {{\"identity\": \"…\"}}: {e}"
            ))
        })?
    };
    let identity = match request.identity {
        Some(identity) => validate_identity(identity)?,
        None => format!("visitor-{}", uuid::Uuid::new_v4().simple()),
    };
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
    let c = &config.credentials;
    let claims = Claims::chat(
        &c.account_sid,
        &c.api_key,
        &c.chat_service_sid,
        &identity,
        now,
        config.token_ttl.as_secs(),
    );
    Ok(Json(TokenResponse {
        token: token::sign(&claims, &c.api_secret),
        expires_at: convo_wire::time::rfc3339(claims.exp),
        identity,
    }))
}

fn validate_identity(identity: String) -> Result<String, BackendError> {
    let chars = identity.chars().count();
    if identity.trim().is_empty() {
        return Err(BackendError::BadRequest("identity must not be empty".to_owned()));
    }
    if chars > MAX_IDENTITY_CHARS {
        return Err(BackendError::BadRequest(format!(
            "identity is {chars} characters; the limit is {MAX_IDENTITY_CHARS}"
        )));
    }
    if identity.chars().any(char::is_control) {
        return Err(BackendError::BadRequest(
            "identity must not contain control characters".to_owned(),
        ));
    }
    Ok(identity)
}
