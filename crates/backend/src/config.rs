//! Backend configuration from the environment.

use std::{net::SocketAddr, time::Duration};

use convo_wire::{token::MAX_TTL_SECS, Credentials};

use crate::BackendError;

/// Where the backend sends visitors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// Real Twilio: all of TWILIO_ACCOUNT_SID, TWILIO_API_KEY and TWILIO_API_SECRET are set.
    Twilio,
    /// No Twilio account: run the emulator in-process on `listen`.
    Emulator {
        /// `CONVO_EMULATOR_LISTEN`, default 127.0.0.1:8788.
        listen: SocketAddr,
    },
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
    /// `CONVO_TOKEN_TTL_SECS`, default 3600, capped at 24 h.
    pub token_ttl: Duration,
    /// `CONVO_ALLOWED_ORIGINS`: comma-separated origins allowed to call the API from a browser,
    /// besides any loopback origin (`http://127.0.0.1:*`, `http://localhost:*`).
    pub allowed_origins: Vec<String>,
}

impl BackendConfig {
    /// Defaults for the emulator mode, for tests.
    pub fn development() -> Self {
        BackendConfig {
            listen: ([127, 0, 0, 1], 8787).into(),
            mode: Mode::Emulator { listen: ([127, 0, 0, 1], 8788).into() },
            credentials: Credentials::development(),
            token_ttl: Duration::from_secs(3600),
            allowed_origins: Vec::new(),
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
        let ttl_secs = match lookup("CONVO_TOKEN_TTL_SECS") {
            None => dev.token_ttl.as_secs(),
            Some(v) => match v.parse::<u64>() {
                Ok(secs) if secs > 0 => secs.min(MAX_TTL_SECS),
                _ => {
                    return Err(BackendError::Config(format!(
                        "CONVO_TOKEN_TTL_SECS is not a positive number: {v}"
                    )))
                }
            },
        };
        Ok(BackendConfig {
            listen: addr("CONVO_LISTEN", dev.listen)?,
            mode,
            credentials: Credentials::from_lookup(&lookup),
            token_ttl: Duration::from_secs(ttl_secs),
            allowed_origins: lookup("CONVO_ALLOWED_ORIGINS")
                .map(|v| {
                    v.split(',')
                        .map(|o| o.trim().trim_end_matches('/').to_owned())
                        .filter(|o| !o.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
        })
    }
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
    }

    #[test]
    fn test_full_credentials_mean_twilio_mode() {
        let c = config(&[
            ("TWILIO_ACCOUNT_SID", "AC1"),
            ("TWILIO_API_KEY", "SK1"),
            ("TWILIO_API_SECRET", "x"),
        ])
        .unwrap();
        assert_eq!(c.mode, Mode::Twilio);
        assert_eq!(c.credentials.account_sid, "AC1");
    }

    #[test]
    fn test_ttl_is_capped_and_validated() {
        assert_eq!(
            config(&[("CONVO_TOKEN_TTL_SECS", "999999")]).unwrap().token_ttl.as_secs(),
            MAX_TTL_SECS
        );
        assert!(config(&[("CONVO_TOKEN_TTL_SECS", "0")]).is_err());
        assert!(config(&[("CONVO_TOKEN_TTL_SECS", "soon")]).is_err());
        assert!(config(&[("CONVO_LISTEN", "nowhere")]).is_err());
    }
}
