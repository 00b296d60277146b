//! Emulator configuration: credentials from the environment (Twilio's own variable names, with
//! documented development defaults) and protocol tunables.

use std::time::Duration;

use convo_wire::Credentials;

use crate::server::ServerLimits;

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
    /// Twilio's documented size limits.
    pub limits: Limits,
    /// The service's typing timeout, sent in the typing reply (the notification carries one
    /// second more, to allow for latency, as Twilio does).
    pub typing_timeout: Duration,
    /// How long before a token's expiry the `token_about_to_expire` update is sent.
    pub token_warning: Duration,
    /// How often the server sends a twilsock `ping`.
    pub ping_interval: Duration,
    /// `CONVO_EMULATOR_TESTING=1`: serve `/_testing/*` fault hooks (drop an identity's
    /// sockets, close them with a code) and the clock hook (make a conversation idler, so its
    /// timers fire) for browser and Node tests that cannot reach the emulator's Rust API.
    /// Never on by default.
    pub testing_endpoints: bool,
    /// What one token holder may make the emulator keep.
    pub quotas: Quotas,
    /// Timeouts and connection caps of the HTTP server.
    pub server: ServerLimits,
    /// How long an MCS temporary content URL stays valid (Twilio: 300 s), rounded up to the
    /// whole second its `Expires` states. Tests shorten it (`CONVO_EMULATOR_MEDIA_URL_TTL`,
    /// seconds) to show a client re-fetching expired URLs.
    pub media_url_ttl: Duration,
}

/// Per-identity bounds, so one token holder cannot grow the emulator's memory without limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quotas {
    /// The longest `X-Twilio-Mutation-Id` accepted, in bytes (the SDK sends 36-byte UUIDs).
    pub mutation_id_bytes: usize,
    /// Command outcomes remembered per identity, for retried commands. A client retries only
    /// its few commands in flight, so the oldest beyond this are forgotten.
    pub mutations_per_identity: usize,
    /// Uploaded media never attached to a message are deleted this long after the upload.
    pub unattached_media_ttl: Duration,
    /// Bytes of unattached media one identity may hold at once.
    pub unattached_media_bytes: usize,
    /// Conversations one identity may have created over twilsock and not yet deleted (Twilio
    /// lets an identity belong to at most 1,000).
    pub conversations_per_identity: usize,
}

impl Default for Quotas {
    fn default() -> Self {
        Quotas {
            mutation_id_bytes: 128,
            mutations_per_identity: 100,
            unattached_media_ttl: Duration::from_secs(3600),
            // Two uploads of the largest allowed file waiting to be sent.
            unattached_media_bytes: 2 * Limits::default().media_bytes,
            conversations_per_identity: 1000,
        }
    }
}

/// Size limits from Twilio's Conversations limits page. Anything over them is refused with a
/// 400 and nothing is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Message body, in UTF-8 bytes (32 KB).
    pub body_bytes: usize,
    /// Message and participant attributes, in bytes (4 KB).
    pub attributes_bytes: usize,
    /// Conversation attributes, in bytes (16 KB).
    pub conversation_attributes_bytes: usize,
    /// Friendly names, in characters.
    pub friendly_name_chars: usize,
    /// One media file, in bytes (150 MB).
    pub media_bytes: usize,
    /// Media attached to one message.
    pub media_per_message: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            body_bytes: 32 * 1024,
            attributes_bytes: 4 * 1024,
            conversation_attributes_bytes: 16 * 1024,
            friendly_name_chars: 256,
            media_bytes: 150 * 1024 * 1024,
            media_per_message: 10,
        }
    }
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            credentials: Credentials::development(),
            // Chat bodies are capped at 32 KB and attributes at 16 KB; with the JSON envelope
            // and the header, 256 KB is far above any legitimate frame.
            max_frame_bytes: 256 * 1024,
            init_timeout: Duration::from_secs(30),
            limits: Limits::default(),
            typing_timeout: Duration::from_secs(5),
            token_warning: Duration::from_secs(180),
            ping_interval: Duration::from_secs(30),
            testing_endpoints: false,
            quotas: Quotas::default(),
            media_url_ttl: Duration::from_secs(300),
            server: ServerLimits {
                // The load benchmark holds 5,000 sockets from one loopback address; the
                // emulator serves loopback only, so the per-address cap is the overall one.
                max_connections_per_ip: ServerLimits::default().max_connections,
                ..ServerLimits::default()
            },
        }
    }
}

impl EmulatorConfig {
    /// Defaults, with credentials from `TWILIO_ACCOUNT_SID`, `TWILIO_AUTH_TOKEN`,
    /// `TWILIO_API_KEY`, `TWILIO_API_SECRET` and `TWILIO_CHAT_SERVICE_SID`, and the
    /// `CONVO_EMULATOR_*` settings. A setting that does not parse is an error naming it.
    pub fn from_env() -> Result<Self, String> {
        Self::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    /// [`EmulatorConfig::from_env`] reading through `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let defaults = EmulatorConfig::default();
        let media_url_ttl = match lookup("CONVO_EMULATOR_MEDIA_URL_TTL") {
            None => defaults.media_url_ttl,
            Some(v) => match v.trim().parse::<u64>() {
                Ok(secs) if secs > 0 => Duration::from_secs(secs),
                _ => {
                    return Err(format!(
                        "CONVO_EMULATOR_MEDIA_URL_TTL is not a positive number of seconds: {v}"
                    ))
                }
            },
        };
        Ok(EmulatorConfig {
            credentials: Credentials::from_lookup(&lookup),
            testing_endpoints: lookup("CONVO_EMULATOR_TESTING").is_some_and(|v| v == "1"),
            media_url_ttl,
            ..defaults
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_media_url_ttl_defaults_to_twilios_300_s_and_is_validated() {
        let env = |value: Option<&str>| {
            EmulatorConfig::from_lookup(|name| {
                (name == "CONVO_EMULATOR_MEDIA_URL_TTL").then(|| value.map(str::to_owned))?
            })
        };
        assert_eq!(env(None).unwrap().media_url_ttl, Duration::from_secs(300));
        assert_eq!(env(Some("2")).unwrap().media_url_ttl, Duration::from_secs(2));
        for bad in ["0", "soon", "-1"] {
            let message = env(Some(bad)).unwrap_err();
            assert!(message.contains("CONVO_EMULATOR_MEDIA_URL_TTL"), "{message}");
        }
    }
}
