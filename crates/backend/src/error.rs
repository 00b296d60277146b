//! The backend's error type; every refusal reaches the browser as a Twilio-shaped body.

use axum::{
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use convo_wire::TwilioError;

/// The `code` of a 401 for an expired session handle (distinct from 20003, a bad one).
pub const SESSION_EXPIRED_CODE: u32 = 20104;
/// The `code` of a 409 for a conversation that has closed (`/api/session` without
/// `new_conversation`, `/api/token` without `closed_ok`).
pub const CONVERSATION_CLOSED_CODE: u32 = 50446;

/// Everything the backend refuses or fails at.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    /// A setting in the environment is unusable.
    #[error("configuration: {0}")]
    Config(String),
    /// The request is invalid; the message says how.
    #[error("{0}")]
    BadRequest(String),
    /// The request carries no valid session.
    #[error("{0}")]
    Unauthorized(String),
    /// The session handle is genuine but past its expiry (or from before handles had one):
    /// the widget forgets it and starts afresh. 401 like a bad handle, told apart by its code.
    #[error("{0}")]
    SessionExpired(String),
    /// The body is not JSON (a form or text a page on another site could send without a
    /// CORS preflight).
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// The request is refused (bad signature, forged identity, another site's origin).
    #[error("{0}")]
    Forbidden(String),
    /// The visitor's conversation has ended; the widget must ask before starting a new one.
    #[error("{0}")]
    ConversationClosed(String),
    /// Too many requests from one address.
    #[error("too many requests; try again in {retry_after} s")]
    RateLimited {
        /// Seconds until a request will be accepted again.
        retry_after: u64,
    },
    /// Twilio (or the emulator) refused or failed a REST call.
    #[error("Twilio API: {0}")]
    Twilio(TwilioError),
    /// Twilio could not be reached.
    #[error("Twilio API unreachable: {0}")]
    Unreachable(String),
}

impl BackendError {
    fn status_and_code(&self) -> (StatusCode, u32) {
        match self {
            BackendError::BadRequest(_) => (StatusCode::BAD_REQUEST, 20001),
            BackendError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, 20003),
            // Twilio's "expired or expiration date invalid", for our session handles.
            BackendError::SessionExpired(_) => (StatusCode::UNAUTHORIZED, SESSION_EXPIRED_CODE),
            BackendError::Forbidden(_) => (StatusCode::FORBIDDEN, 20403),
            // Twilio's "Input request content type is invalid".
            BackendError::UnsupportedMediaType(_) => (StatusCode::UNSUPPORTED_MEDIA_TYPE, 19056),
            BackendError::ConversationClosed(_) => (StatusCode::CONFLICT, CONVERSATION_CLOSED_CODE),
            BackendError::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, 20429),
            // The caller cannot fix these; hide Twilio's details behind a 502.
            BackendError::Twilio(_) | BackendError::Unreachable(_) => {
                (StatusCode::BAD_GATEWAY, 20502)
            }
            BackendError::Config(_) => (StatusCode::INTERNAL_SERVER_ERROR, 20500),
        }
    }
}

impl IntoResponse for BackendError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let message = if status.is_server_error() {
            tracing::error!("{self}");
            "The chat service is unavailable right now; please try again.".to_owned()
        } else {
            self.to_string()
        };
        let mut response =
            (status, Json(TwilioError::new(status.as_u16(), code, message))).into_response();
        if let BackendError::RateLimited { retry_after } = self {
            if let Ok(value) = retry_after.to_string().parse() {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        response
    }
}
