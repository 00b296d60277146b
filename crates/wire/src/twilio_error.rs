//! The error body every Twilio API returns: `{status, code, message, more_info}`.

use serde::{Deserialize, Serialize};

/// A Twilio-shaped error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwilioError {
    /// HTTP status.
    pub status: u16,
    /// Twilio error code.
    pub code: u32,
    /// What went wrong, for a person.
    pub message: String,
    /// Where the code is documented.
    pub more_info: String,
}

impl TwilioError {
    /// An error with the documentation link derived from `code`.
    pub fn new(status: u16, code: u32, message: impl Into<String>) -> Self {
        TwilioError {
            status,
            code,
            message: message.into(),
            more_info: format!("https://www.twilio.com/docs/errors/{code}"),
        }
    }
}

impl std::fmt::Display for TwilioError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (status {}, code {})", self.message, self.status, self.code)
    }
}
