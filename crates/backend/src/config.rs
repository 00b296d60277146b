//! Backend configuration from the environment.

use std::{net::SocketAddr, time::Duration};

use convo_wire::{token::MAX_TTL_SECS, Credentials};

use crate::BackendError;

/// Where the backend sends visitors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// Real Twilio: TWILIO_ACCOUNT_SID, TWILIO_API_KEY and TWILIO_API_SECRET are set.
    Twilio,
    /// No Twilio account: run the emulator in-process on `listen`.
    Emulator {
        /// `CONVO_EMULATOR_LISTEN`, default 127.0.0.1:8788.
        listen: SocketAddr,
    },
}

/// The demo bot's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BotConfig {
    /// `CONVO_BOT` (`on`/`off`, default on).
    pub enabled: bool,
    /// `CONVO_BOT_GREETING`: what it answers a visitor's first message with.
    pub greeting: String,
    /// `CONVO_BOT_IDENTITY`: the author of its messages.
    pub identity: String,
}

/// Backend settings.
#[derive(Debug, Clone)]
pub struct BackendConfig {
    /// `CONVO_LISTEN`, default 127.0.0.1:8787.
    pub listen: SocketAddr,
    /// Twilio or the embedded emulator.
    pub mode: Mode,
    /// Credentials (development defaults in emulator mode).
    pub credentials: Credentials,
    /// `CONVO_TWILIO_API_URL`: the Conversations REST API base URL (default
    /// `https://conversations.twilio.com`; the emulator's URL in emulator mode).
    pub api_url: String,
    /// `CONVO_WEBHOOK_URL`: the exact URL Twilio posts webhooks to (signatures cover it).
    /// Default: `http://{listen}/api/webhook`.
    pub webhook_url: Option<String>,
    /// `CONVO_TOKEN_TTL_SECS`, default 3600, capped at 24 h.
    pub token_ttl: Duration,
    /// `CONVO_ALLOWED_ORIGINS`: comma-separated origins allowed to call the API from a browser,
    /// besides any loopback origin (`http://127.0.0.1:*`, `http://localhost:*`).
    pub allowed_origins: Vec<String>,
    /// `CONVO_SESSION_SECRET`: signs visitor session handles (default: derived from the API
    /// secret, so sessions survive a restart).
    pub session_secret: String,
    /// `CONVO_IDENTITY_SECRET`: the HMAC-SHA256 key a host signs its own user ids with; unset
    /// disables host-supplied identities.
    pub identity_secret: Option<String>,
    /// `CONVO_RATE_LIMIT_PER_MINUTE`: session and token requests per client address, default 30.
    pub rate_limit_per_minute: u32,
    /// The demo bot.
    pub bot: BotConfig,
}

impl BackendConfig {
    /// Defaults for the emulator mode, for tests.
    pub fn development() -> Self {
        let credentials = Credentials::development();
        BackendConfig {
            listen: ([127, 0, 0, 1], 8787).into(),
            mode: Mode::Emulator { listen: ([127, 0, 0, 1], 8788).into() },
            session_secret: derived_session_secret(&credentials.api_secret),
            credentials,
            api_url: "https://conversations.twilio.com".to_owned(),
            webhook_url: None,
            token_ttl: Duration::from_secs(3600),
            allowed_origins: Vec::new(),
            identity_secret: None,
            rate_limit_per_minute: 30,
            bot: BotConfig {
                enabled: true,
                greeting: "Thanks — an agent will be with you shortly.".to_owned(),
                identity: "convo-bot".to_owned(),
            },
        }
    }

    /// Reads the environment.
    pub fn from_env() -> Result<Self, BackendError> {
        Self::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    /// Reads settings through `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, BackendError> {
        let addr = |name: &str, default: SocketAddr| -> Result<SocketAddr, BackendError> {
            lookup(name).map_or(Ok(default), |v| {
                v.parse()
                    .map_err(|_| BackendError::Config(format!("{name} is not an address: {v}")))
            })
        };
        let number = |name: &str, default: u64| -> Result<u64, BackendError> {
            lookup(name).map_or(Ok(default), |v| match v.parse::<u64>() {
                Ok(n) if n > 0 => Ok(n),
                _ => Err(BackendError::Config(format!("{name} is not a positive number: {v}"))),
            })
        };
        let dev = BackendConfig::development();
        let has_twilio = ["TWILIO_ACCOUNT_SID", "TWILIO_API_KEY", "TWILIO_API_SECRET"]
            .iter()
            .all(|n| lookup(n).is_some());
        let mode = if has_twilio {
            Mode::Twilio
        } else {
            let Mode::Emulator { listen } = dev.mode else {
                unreachable!("development() is emulator mode")
            };
            Mode::Emulator { listen: addr("CONVO_EMULATOR_LISTEN", listen)? }
        };
        let credentials = Credentials::from_lookup(&lookup);
        if mode == Mode::Twilio && lookup("TWILIO_AUTH_TOKEN").is_none() {
            return Err(BackendError::Config(
                "TWILIO_AUTH_TOKEN is required with a Twilio account: webhooks are verified with it".to_owned(),
            ));
        }
        let bot_enabled = match lookup("CONVO_BOT").as_deref() {
            None | Some("on" | "true" | "1") => true,
            Some("off" | "false" | "0") => false,
            Some(other) => {
                return Err(BackendError::Config(format!(
                    "CONVO_BOT must be on or off, not {other}"
                )))
            }
        };
        Ok(BackendConfig {
            listen: addr("CONVO_LISTEN", dev.listen)?,
            session_secret: lookup("CONVO_SESSION_SECRET")
                .unwrap_or_else(|| derived_session_secret(&credentials.api_secret)),
            mode,
            credentials,
            api_url: lookup("CONVO_TWILIO_API_URL")
                .unwrap_or(dev.api_url)
                .trim_end_matches('/')
                .to_owned(),
            webhook_url: lookup("CONVO_WEBHOOK_URL"),
            token_ttl: Duration::from_secs(
                number("CONVO_TOKEN_TTL_SECS", dev.token_ttl.as_secs())?.min(MAX_TTL_SECS),
            ),
            allowed_origins: lookup("CONVO_ALLOWED_ORIGINS")
                .map(|v| {
                    v.split(',')
                        .map(|o| o.trim().trim_end_matches('/').to_owned())
                        .filter(|o| !o.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            identity_secret: lookup("CONVO_IDENTITY_SECRET"),
            rate_limit_per_minute: u32::try_from(number("CONVO_RATE_LIMIT_PER_MINUTE", 30)?)
                .unwrap_or(u32::MAX),
            bot: BotConfig {
                enabled: bot_enabled,
                greeting: lookup("CONVO_BOT_GREETING").unwrap_or(dev.bot.greeting),
                identity: lookup("CONVO_BOT_IDENTITY").unwrap_or(dev.bot.identity),
            },
        })
    }

    /// The URL webhooks are posted to.
    pub fn webhook_url(&self, bound: SocketAddr) -> String {
        self.webhook_url.clone().unwrap_or_else(|| format!("http://{bound}/api/webhook"))
    }
}

fn derived_session_secret(api_secret: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut mac =
        Hmac::<sha2::Sha256>::new_from_slice(api_secret.as_bytes()).expect("any key length");
    mac.update(b"convo-session-secret");
    base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        mac.finalize().into_bytes(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<BackendConfig, BackendError> {
        BackendConfig::from_lookup(|name| {
            vars.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn test_no_credentials_means_emulator_mode() {
        let c = config(&[]).unwrap();
        assert_eq!(c.mode, Mode::Emulator { listen: ([127, 0, 0, 1], 8788).into() });
        assert!(c.credentials.is_development());
        assert!(c.bot.enabled);
    }

    #[test]
    fn test_full_credentials_mean_twilio_mode() {
        let c = config(&[
            ("TWILIO_ACCOUNT_SID", "AC1"),
            ("TWILIO_API_KEY", "SK1"),
            ("TWILIO_API_SECRET", "x"),
            ("TWILIO_AUTH_TOKEN", "t"),
            ("TWILIO_CONVERSATIONS_SERVICE_SID", "IS9"),
        ])
        .unwrap();
        assert_eq!(c.mode, Mode::Twilio);
        assert_eq!(c.credentials.account_sid, "AC1");
        assert_eq!(c.credentials.chat_service_sid, "IS9");
        assert_eq!(c.api_url, "https://conversations.twilio.com");
        assert!(
            config(&[
                ("TWILIO_ACCOUNT_SID", "AC1"),
                ("TWILIO_API_KEY", "SK1"),
                ("TWILIO_API_SECRET", "x")
            ])
            .is_err(),
            "auth token required"
        );
    }

    #[test]
    fn test_values_are_validated() {
        assert_eq!(
            config(&[("CONVO_TOKEN_TTL_SECS", "999999")]).unwrap().token_ttl.as_secs(),
            MAX_TTL_SECS
        );
        assert!(config(&[("CONVO_TOKEN_TTL_SECS", "0")]).is_err());
        assert!(config(&[("CONVO_TOKEN_TTL_SECS", "soon")]).is_err());
        assert!(config(&[("CONVO_LISTEN", "nowhere")]).is_err());
        assert!(config(&[("CONVO_BOT", "maybe")]).is_err());
        assert!(!config(&[("CONVO_BOT", "off")]).unwrap().bot.enabled);
        assert!(config(&[("CONVO_RATE_LIMIT_PER_MINUTE", "0")]).is_err());
    }

    #[test]
    fn test_session_secret_is_stable_and_secret_dependent() {
        assert_eq!(config(&[]).unwrap().session_secret, config(&[]).unwrap().session_secret);
        assert_ne!(
            config(&[]).unwrap().session_secret,
            config(&[("TWILIO_API_SECRET", "other")]).unwrap().session_secret
        );
    }
}
