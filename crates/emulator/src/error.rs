//! The emulator's error type, mapped to Twilio-shaped bodies at the edges.

use convo_wire::TwilioError;

/// Everything the emulator refuses or fails at.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    /// A frame that does not parse.
    #[error(transparent)]
    Wire(#[from] convo_wire::Error),
    /// A request the emulator refuses, with the Twilio error to send back.
    #[error("{0}")]
    Refused(TwilioError),
}

impl EmulatorError {
    /// A refusal with a Twilio error code.
    pub fn refused(status: u16, code: u32, message: impl Into<String>) -> Self {
        EmulatorError::Refused(TwilioError::new(status, code, message))
    }

    /// The body to send to the client.
    pub fn to_twilio(&self) -> TwilioError {
        match self {
            EmulatorError::Wire(e) => TwilioError::new(400, 20001, e.to_string()),
            EmulatorError::Refused(e) => e.clone(),
        }
    }
}
