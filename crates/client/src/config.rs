//! Client configuration.

use std::time::Duration;

/// Reconnect backoff: the n-th consecutive failure waits about `min · 2^(n-1)`, capped at
/// `max`, randomised by ±`jitter` — the schedule the official SDK uses (1, 2, 4 … 120 s).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BackoffConfig {
    /// First delay.
    pub min: Duration,
    /// Largest delay.
    pub max: Duration,
    /// Relative randomisation, 0.2 = ±20 %.
    pub jitter: f64,
}

impl Default for BackoffConfig {
    fn default() -> Self {
        BackoffConfig { min: Duration::from_secs(1), max: Duration::from_secs(120), jitter: 0.2 }
    }
}

/// How a [`crate::Client`] connects.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientConfig {
    /// The twilsock websocket URL (`wss://tsock.us1.twilio.com/v3/wsconnect` for Twilio).
    pub twilsock_url: String,
    /// Whether a token that names a twilsock URL (the Convo backend's grants do, for the
    /// service's region) is dialled instead of [`Self::twilsock_url`], which is then only the
    /// fallback. Off for a URL the host set on purpose.
    pub prefer_token_twilsock_url: bool,
    /// How long to wait for the `init` reply (the SDK waits 30 s).
    pub init_timeout: Duration,
    /// How long to wait for a request's reply, including time queued while offline.
    pub request_timeout: Duration,
    /// The Conversations API base (`https://aim.us1.twilio.com`): only a label inside the
    /// tunnel, used for `Client/v2/Configuration`; every other URL comes from the server.
    pub aim_url: String,
    /// The Sync base (`https://cds.us1.twilio.com`), likewise a label inside the tunnel.
    pub cds_url: String,
    /// Reconnect schedule.
    pub backoff: BackoffConfig,
}

impl ClientConfig {
    /// Twilio's production twilsock endpoint (region `us1`).
    pub const TWILIO_TWILSOCK_URL: &'static str = "wss://tsock.us1.twilio.com/v3/wsconnect";

    /// Defaults with the given twilsock URL.
    pub fn new(twilsock_url: impl Into<String>) -> Self {
        ClientConfig {
            twilsock_url: twilsock_url.into(),
            prefer_token_twilsock_url: false,
            init_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(30),
            aim_url: "https://aim.us1.twilio.com".to_owned(),
            cds_url: "https://cds.us1.twilio.com".to_owned(),
            backoff: BackoffConfig::default(),
        }
    }

    /// Defaults that dial the twilsock URL the tokens name, or `fallback` when they name none.
    pub fn following_tokens(fallback: impl Into<String>) -> Self {
        ClientConfig { prefer_token_twilsock_url: true, ..ClientConfig::new(fallback) }
    }
}
