//! The backend's error type; every refusal reaches the browser as a Twilio-shaped body.

use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use convo_wire::TwilioError;

/// Everything the backend refuses or fails at.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    /// A setting in the environment is unusable.
    #[error("configuration: {0}")]
    Config(String),
    /// The request is invalid; the message says how.
    #[error("{0}")]
    BadRequest(String),
}

impl IntoResponse for BackendError {
    fn into_response(self) -> Response {
        let (status, code) = match &self {
            BackendError::BadRequest(_) => (StatusCode::BAD_REQUEST, 20001),
            BackendError::Config(_) => (StatusCode::INTERNAL_SERVER_ERROR, 20500),
        };
        if status.is_server_error() {
            tracing::error!("{self}");
        }
        (status, Json(TwilioError::new(status.as_u16(), code, self.to_string()))).into_response()
    }
}
