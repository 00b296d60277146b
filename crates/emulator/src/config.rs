//! Emulator configuration: credentials from the environment (Twilio's own variable names, with
//! documented development defaults) and protocol tunables.

use std::time::Duration;

use convo_wire::Credentials;

/// How the emulator behaves.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// The account, API key and service the emulator plays; tokens must be signed with
    /// `credentials.api_secret`.
    pub credentials: Credentials,
    /// The largest websocket message accepted; a larger one closes that socket only.
    pub max_frame_bytes: usize,
    /// How long a connection may stay open without sending `init`.
    pub init_timeout: Duration,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            credentials: Credentials::development(),
            // Chat bodies are capped at 32 KB and attributes at 16 KB; with the JSON envelope
            // and the header, 256 KB is far above any legitimate frame.
            max_frame_bytes: 256 * 1024,
            init_timeout: Duration::from_secs(30),
        }
    }
}

impl EmulatorConfig {
    /// Defaults, with credentials from `TWILIO_ACCOUNT_SID`, `TWILIO_AUTH_TOKEN`,
    /// `TWILIO_API_KEY`, `TWILIO_API_SECRET` and `TWILIO_CHAT_SERVICE_SID`.
    pub fn from_env() -> Self {
        EmulatorConfig {
            credentials: Credentials::from_lookup(|name| std::env::var(name).ok()),
            ..EmulatorConfig::default()
        }
    }
}
