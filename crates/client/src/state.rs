//! The observable connection state.

use std::time::Duration;

/// Where the connection to Twilio (or the emulator) stands.
///
/// The client moves `Disconnected → Connecting → Connected`; a lost connection goes to
/// `Reconnecting` and back to `Connecting` when the wait is over. `Denied` and `Terminated` are
/// final: nothing reconnects until the application starts a new [`crate::Client`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ConnectionState {
    /// Not started, or shut down by the application.
    #[default]
    Disconnected,
    /// Fetching a token, opening the socket, or waiting for the `init` reply.
    Connecting,
    /// The session is initialised; requests and pushes flow.
    Connected,
    /// The connection was lost; the next attempt starts after `retry_in`.
    Reconnecting {
        /// Consecutive failed attempts so far (1 after the first loss).
        attempt: u32,
        /// How long until the next attempt.
        retry_in: Duration,
    },
    /// The server refused the access token (invalid, expired, or for another account).
    Denied {
        /// Twilio error code (20101 invalid token, 20104 expired).
        code: u32,
        /// The server's explanation.
        reason: String,
    },
    /// The server ended the session for good (e.g. it cannot parse this client's protocol).
    Terminated {
        /// Why.
        reason: String,
    },
}

impl ConnectionState {
    /// Whether the state is final.
    pub fn is_terminal(&self) -> bool {
        matches!(self, ConnectionState::Denied { .. } | ConnectionState::Terminated { .. })
    }
}
