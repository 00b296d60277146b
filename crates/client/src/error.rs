//! The crate's one error type, with a retry classification that drives reconnects.

/// Everything that can go wrong in the client.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The websocket could not be opened or broke.
    #[error("connection failed: {0}")]
    Transport(String),
    /// An HTTP request (token endpoint, media) could not be made at all.
    #[error("network request failed: {0}")]
    Network(String),
    /// An HTTP request was answered with an error status.
    #[error("HTTP {status}: {message}")]
    Http {
        /// The HTTP status.
        status: u16,
        /// The server's message (Twilio-shaped bodies are unwrapped).
        message: String,
    },
    /// Twilio's API (reached through the connection) refused a request.
    // The code as a number, not `{code:?}` ("Some(20001)"): no Debug formatting ships (issue 15).
    #[error("Twilio API {status} ({}): {message}", ApiCode(*.code))]
    Api {
        /// The HTTP status.
        status: u16,
        /// The Twilio error code, when the body had one.
        code: Option<u32>,
        /// The error message.
        message: String,
    },
    /// A frame or payload did not parse.
    #[error(transparent)]
    Protocol(#[from] convo_wire::Error),
    /// No answer in time.
    #[error("timed out waiting for {0}")]
    Timeout(&'static str),
    /// The operation was cancelled by the application.
    #[error("cancelled")]
    Cancelled,
    /// The input breaks a documented limit; nothing was sent.
    #[error("{0}")]
    Invalid(String),
    /// The server refused the access token.
    #[error("access denied ({code}): {message}")]
    Denied {
        /// Twilio error code (20101 invalid, 20104 expired, …).
        code: u32,
        /// The server's description.
        message: String,
    },
}

impl Error {
    /// Whether trying again later may succeed. Network trouble, timeouts and server errors are
    /// retryable; refusals of the request itself (4xx other than 408/429) are not.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport(_) | Error::Network(_) | Error::Timeout(_) => true,
            Error::Http { status, .. } | Error::Api { status, .. } => {
                matches!(status, 408 | 429) || *status >= 500
            }
            Error::Protocol(_) | Error::Denied { .. } | Error::Cancelled | Error::Invalid(_) => {
                false
            }
        }
    }
}

/// An optional Twilio error code as text: the number, or `no code`.
struct ApiCode(Option<u32>);

impl std::fmt::Display for ApiCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(code) => write!(f, "{code}"),
            None => f.write_str("no code"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_retry_classification() {
        assert!(Error::Network("reset".into()).is_retryable());
        assert!(Error::Http { status: 503, message: String::new() }.is_retryable());
        assert!(Error::Http { status: 429, message: String::new() }.is_retryable());
        assert!(!Error::Http { status: 403, message: String::new() }.is_retryable());
        assert!(!Error::Denied { code: 20101, message: String::new() }.is_retryable());
    }

    #[test]
    fn test_an_api_error_shows_its_code_as_a_number() {
        let coded = Error::Api { status: 400, code: Some(50_000), message: "no".into() };
        assert_eq!(coded.to_string(), "Twilio API 400 (50000): no");
        let bare = Error::Api { status: 500, code: None, message: "down".into() };
        assert_eq!(bare.to_string(), "Twilio API 500 (no code): down");
    }
}
