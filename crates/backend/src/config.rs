//! Backend configuration from the environment.

use std::{net::SocketAddr, time::Duration};

use convo_emulator::server::ServerLimits;
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
    /// `CONVO_PRECHAT_FIELDS`: the custom pre-chat fields the widget declares (the same JSON),
    /// enforced on new sessions; empty: any fields within the general limits are accepted.
    pub prechat_fields: Vec<convo_wire::prechat::CustomField>,
    /// `CONVO_AGENT_RATE_LIMIT_PER_MINUTE`: the demo agent desk's requests per client address,
    /// default 240 (its list refreshes every 3 s).
    pub agent_rate_limit_per_minute: u32,
    /// The demo bot.
    pub bot: BotConfig,
    /// `CONVO_AGENTS`: comma-separated identities of the staff whose presence (Twilio's
    /// Reachability Indicator) tells widgets that someone can answer. Default: the demo desk's
    /// agent with the emulator; nobody with Twilio, and then the backend cannot tell.
    pub agents: Vec<String>,
    /// Header-read, keep-alive idle (`CONVO_KEEP_ALIVE_SECS`) and request timeouts, connection
    /// caps (`CONVO_MAX_CONNECTIONS`, `CONVO_MAX_CONNECTIONS_PER_IP`).
    pub server: ServerLimits,
    /// The conversation timers set on each conversation the backend creates.
    pub timers: Timers,
    /// `CONVO_SESSION_TTL` (ISO 8601, default `P30D`): how long a session handle is accepted.
    /// Each refresh hands out a new handle with a fresh expiry.
    pub session_ttl: Duration,
    /// The twilsock URL clients connect to, returned with every grant: Twilio's for
    /// `TWILIO_REGION` (or `CONVO_TWILSOCK_URL`), or the embedded emulator's.
    pub twilsock_url: String,
    /// `TWILIO_REGION` (default `us1`); `local` with the emulator.
    pub region: String,
    /// `CONVO_TRUSTED_PROXIES`: comma-separated CIDRs of reverse proxies whose
    /// `X-Forwarded-For` / `Forwarded` headers name the real client for rate limiting.
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

/// Twilio's `Timers.Inactive` / `Timers.Closed`, as ISO 8601 durations; `None` leaves a timer
/// unset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timers {
    /// `CONVO_INACTIVE_AFTER`, default `PT30M`: a conversation with no activity for this long
    /// becomes `inactive` (a new message makes it active again).
    pub inactive: Option<String>,
    /// `CONVO_CLOSE_AFTER`, default `P1D`: a conversation with no activity for this long is
    /// `closed` for good; the widget then offers a new one.
    pub closed: Option<String>,
}

/// Twilio's minimums (errors 50375 and 50376): refused at start-up rather than on every
/// visitor's first request.
const MIN_INACTIVE_SECS: f64 = 60.0;
const MIN_CLOSED_SECS: f64 = 600.0;
/// The JS SDK's default region; its twilsock host is `tsock.{region}.twilio.com`.
const DEFAULT_REGION: &str = "us1";

/// What Twilio mode needs; the service SID may come under either of its two names.
const TWILIO_REQUIRED: [&[&str]; 5] = [
    &["TWILIO_ACCOUNT_SID"],
    &["TWILIO_API_KEY"],
    &["TWILIO_API_SECRET"],
    &["TWILIO_AUTH_TOKEN"],
    &["TWILIO_CHAT_SERVICE_SID", "TWILIO_CONVERSATIONS_SERVICE_SID"],
];

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
            prechat_fields: Vec::new(),
            agent_rate_limit_per_minute: 240,
            bot: BotConfig {
                enabled: true,
                greeting: "Thanks — an agent will be with you shortly.".to_owned(),
                identity: "convo-bot".to_owned(),
            },
            server: ServerLimits::default(),
            timers: Timers { inactive: Some("PT30M".to_owned()), closed: Some("P1D".to_owned()) },
            session_ttl: Duration::from_secs(30 * 86_400),
            twilsock_url: "ws://127.0.0.1:8788/v3/wsconnect".to_owned(),
            region: "local".to_owned(),
            trusted_proxies: Vec::new(),
            agents: vec![crate::routes::AGENT_IDENTITY.to_owned()],
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
        let mode = if twilio_mode(&lookup)? {
            Mode::Twilio
        } else {
            let Mode::Emulator { listen } = dev.mode else {
                unreachable!("development() is emulator mode")
            };
            Mode::Emulator { listen: addr("CONVO_EMULATOR_LISTEN", listen)? }
        };
        let credentials = Credentials::from_lookup(&lookup);
        let agents = match lookup("CONVO_AGENTS") {
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_owned)
                .collect(),
            None if mode == Mode::Twilio => Vec::new(),
            None => dev.agents.clone(),
        };
        let listen = addr("CONVO_LISTEN", dev.listen)?;
        if let Mode::Emulator { listen: emulator } = &mode {
            // The emulator's credentials are public defaults and the agent desk is open: off
            // this machine, anyone could mint tokens and read every conversation.
            for (name, address) in [("CONVO_LISTEN", listen), ("CONVO_EMULATOR_LISTEN", *emulator)]
            {
                if !address.ip().is_loopback() {
                    return Err(BackendError::Config(format!(
                        "{name} is {address}, not a loopback address: without Twilio \
                         credentials the backend runs the emulator with public development \
                         secrets, so it only listens on 127.0.0.1 or ::1"
                    )));
                }
            }
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
        let server = ServerLimits {
            max_connections: usize::try_from(number(
                "CONVO_MAX_CONNECTIONS",
                dev.server.max_connections as u64,
            )?)
            .unwrap_or(usize::MAX),
            max_connections_per_ip: usize::try_from(number(
                "CONVO_MAX_CONNECTIONS_PER_IP",
                dev.server.max_connections_per_ip as u64,
            )?)
            .unwrap_or(usize::MAX),
            idle_timeout: Duration::from_secs(number(
                "CONVO_KEEP_ALIVE_SECS",
                dev.server.idle_timeout.as_secs(),
            )?),
            ..dev.server
        };
        let timers = Timers {
            inactive: timer(
                &lookup,
                "CONVO_INACTIVE_AFTER",
                dev.timers.inactive,
                MIN_INACTIVE_SECS,
            )?,
            closed: timer(&lookup, "CONVO_CLOSE_AFTER", dev.timers.closed, MIN_CLOSED_SECS)?,
        };
        let session_ttl = match lookup("CONVO_SESSION_TTL") {
            None => dev.session_ttl,
            Some(v) => match convo_wire::time::parse_iso8601_duration(v.trim()) {
                Some(secs) if secs >= 1.0 => Duration::from_secs_f64(secs),
                _ => {
                    return Err(BackendError::Config(format!(
                        "CONVO_SESSION_TTL must be an ISO 8601 duration such as P30D or PT12H, \
                         not {v}"
                    )))
                }
            },
        };
        let (twilsock_url, region) = match &mode {
            Mode::Emulator { listen } => (format!("ws://{listen}/v3/wsconnect"), dev.region),
            Mode::Twilio => {
                let region = lookup("TWILIO_REGION").unwrap_or_else(|| DEFAULT_REGION.to_owned());
                let url = lookup("CONVO_TWILSOCK_URL")
                    .unwrap_or_else(|| format!("wss://tsock.{region}.twilio.com/v3/wsconnect"));
                (url, region)
            }
        };
        let trusted_proxies = lookup("CONVO_TRUSTED_PROXIES")
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(|p| {
                        // A bare address is a /32 (or /128).
                        p.parse::<ipnet::IpNet>()
                            .or_else(|_| p.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                            .map_err(|_| {
                                BackendError::Config(format!(
                                    "CONVO_TRUSTED_PROXIES: {p} is not a CIDR such as \
                                     10.0.0.0/8 or an address"
                                ))
                            })
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?
            .unwrap_or_default();
        let prechat_fields = match lookup("CONVO_PRECHAT_FIELDS") {
            None => Vec::new(),
            Some(text) => {
                // A declaration the backend cannot enforce whole would let through what the
                // site owner meant to require: refused at start, every mistake named.
                let (fields, errors) = convo_wire::prechat::parse_declaration_text(&text);
                if !errors.is_empty() {
                    let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
                    return Err(BackendError::Config(format!(
                        "CONVO_PRECHAT_FIELDS: {}",
                        errors.join("; ")
                    )));
                }
                fields
            }
        };
        Ok(BackendConfig {
            listen,
            server,
            prechat_fields,
            timers,
            session_ttl,
            twilsock_url,
            region,
            trusted_proxies,
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
            agent_rate_limit_per_minute: u32::try_from(number(
                "CONVO_AGENT_RATE_LIMIT_PER_MINUTE",
                u64::from(dev.agent_rate_limit_per_minute),
            )?)
            .unwrap_or(u32::MAX),
            agents,
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

/// Twilio mode when every required `TWILIO_*` variable is set, emulator mode when none is;
/// anything in between is a mistake (a misspelt name would otherwise silently run the
/// emulator with its public development secret), refused with the missing names.
fn twilio_mode(lookup: impl Fn(&str) -> Option<String>) -> Result<bool, BackendError> {
    let set = |names: &[&str]| names.iter().any(|n| lookup(n).is_some());
    let missing: Vec<String> = TWILIO_REQUIRED
        .iter()
        .filter(|names| !set(names))
        .map(|names| names.join(" or "))
        .collect();
    let any_set = convo_wire::credentials::ENV_NAMES
        .iter()
        .chain(["TWILIO_CONVERSATIONS_SERVICE_SID"].iter())
        .any(|name| lookup(name).is_some());
    match (any_set, missing.is_empty()) {
        (false, _) => Ok(false),
        (true, true) => Ok(true),
        (true, false) => Err(BackendError::Config(format!(
            "some Twilio credentials are set but not all: missing {}. Set all of them for \
             Twilio, or none for the local emulator",
            missing.join(", ")
        ))),
    }
}

/// A conversation timer setting: unset means the default, `none` (or empty) disables it.
fn timer(
    lookup: impl Fn(&str) -> Option<String>,
    name: &str,
    default: Option<String>,
    min_secs: f64,
) -> Result<Option<String>, BackendError> {
    let Some(value) = lookup(name).map(|v| v.trim().to_owned()) else { return Ok(default) };
    if value.is_empty() || value.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    match convo_wire::time::parse_iso8601_duration(&value) {
        Some(secs) if secs >= min_secs => Ok(Some(value)),
        Some(_) => Err(BackendError::Config(format!(
            "{name} is {value}; Twilio's minimum is {} minutes (or none to disable)",
            min_secs / 60.0
        ))),
        None => Err(BackendError::Config(format!(
            "{name} must be an ISO 8601 duration such as PT30M or P1D (or none), not {value}"
        ))),
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
        // Idle keep-alive: longer than the 60–90 s of the pools in front, unless told otherwise.
        assert_eq!(config(&[]).unwrap().server.idle_timeout.as_secs(), 120);
        let keep = config(&[("CONVO_KEEP_ALIVE_SECS", "300")]).unwrap().server;
        assert_eq!((keep.idle_timeout.as_secs(), keep.header_read_timeout.as_secs()), (300, 10));
        assert!(config(&[("CONVO_KEEP_ALIVE_SECS", "0")]).is_err());
    }

    const TWILIO: [(&str, &str); 5] = [
        ("TWILIO_ACCOUNT_SID", "AC1"),
        ("TWILIO_API_KEY", "SK1"),
        ("TWILIO_API_SECRET", "x"),
        ("TWILIO_AUTH_TOKEN", "t"),
        ("TWILIO_CONVERSATIONS_SERVICE_SID", "IS9"),
    ];

    #[test]
    fn test_session_secret_is_stable_and_secret_dependent() {
        assert_eq!(config(&[]).unwrap().session_secret, config(&[]).unwrap().session_secret);
        let mut other = TWILIO;
        other[2].1 = "other";
        assert_ne!(config(&TWILIO).unwrap().session_secret, config(&other).unwrap().session_secret);
        assert_ne!(config(&[]).unwrap().session_secret, config(&TWILIO).unwrap().session_secret);
    }

    #[test]
    fn test_partial_twilio_credentials_are_refused_naming_what_is_missing() {
        // F3: a misspelt TWILIO_API_SECRET used to start the emulator with the public secret.
        let partial = [
            ("TWILIO_ACCOUNT_SID", "AC1"),
            ("TWILIO_API_KEY", "SK1"),
            ("TWILIO_AUTH_TOKEN", "t"),
            ("TWILIO_API_SECRTE", "x"),
        ];
        let message = config(&partial).unwrap_err().to_string();
        assert!(message.contains("missing TWILIO_API_SECRET,"), "{message}");
        assert!(
            message.contains("TWILIO_CHAT_SERVICE_SID or TWILIO_CONVERSATIONS_SERVICE_SID"),
            "{message}"
        );
        assert!(!message.contains("TWILIO_ACCOUNT_SID"), "{message}");
        let message = config(&[("TWILIO_API_SECRET", "x")]).unwrap_err().to_string();
        for name in ["TWILIO_ACCOUNT_SID", "TWILIO_API_KEY", "TWILIO_AUTH_TOKEN"] {
            assert!(message.contains(name), "{message}");
        }
        // Either service variable completes the set.
        let mut chat = TWILIO;
        chat[4].0 = "TWILIO_CHAT_SERVICE_SID";
        assert_eq!(config(&chat).unwrap().mode, Mode::Twilio);
    }

    #[test]
    fn test_timers_default_validate_and_disable() {
        let c = config(&[]).unwrap();
        assert_eq!(c.timers.inactive.as_deref(), Some("PT30M"));
        assert_eq!(c.timers.closed.as_deref(), Some("P1D"));
        let c = config(&[("CONVO_INACTIVE_AFTER", "none"), ("CONVO_CLOSE_AFTER", "PT2H")]).unwrap();
        assert_eq!(c.timers, Timers { inactive: None, closed: Some("PT2H".to_owned()) });
        for (name, bad) in [
            ("CONVO_INACTIVE_AFTER", "30m"),
            ("CONVO_INACTIVE_AFTER", "PT30S"),
            ("CONVO_CLOSE_AFTER", "PT5M"),
            ("CONVO_CLOSE_AFTER", "P1M"),
        ] {
            let message = config(&[(name, bad)]).unwrap_err().to_string();
            assert!(message.contains(name) && message.contains(bad), "{message}");
        }
    }

    #[test]
    fn test_session_ttl_is_an_iso_duration_defaulting_to_30_days() {
        assert_eq!(config(&[]).unwrap().session_ttl, Duration::from_secs(30 * 86_400));
        let c = config(&[("CONVO_SESSION_TTL", "PT12H")]).unwrap();
        assert_eq!(c.session_ttl, Duration::from_secs(12 * 3600));
        let message = config(&[("CONVO_SESSION_TTL", "30")]).unwrap_err().to_string();
        assert!(message.contains("CONVO_SESSION_TTL"), "{message}");
    }

    #[test]
    fn test_twilsock_url_follows_the_mode_and_region() {
        let c = config(&[("CONVO_EMULATOR_LISTEN", "127.0.0.1:9999")]).unwrap();
        assert_eq!(c.twilsock_url, "ws://127.0.0.1:9999/v3/wsconnect");
        let c = config(&TWILIO).unwrap();
        assert_eq!(c.twilsock_url, "wss://tsock.us1.twilio.com/v3/wsconnect");
        assert_eq!(c.region, "us1");
        let mut ie1 = TWILIO.to_vec();
        ie1.push(("TWILIO_REGION", "ie1"));
        let c = config(&ie1).unwrap();
        assert_eq!(c.twilsock_url, "wss://tsock.ie1.twilio.com/v3/wsconnect");
        assert_eq!(c.region, "ie1");
    }

    #[test]
    fn test_prechat_fields_are_the_widgets_declaration_refused_whole_when_wrong() {
        assert!(config(&[]).unwrap().prechat_fields.is_empty());
        let c = config(&[(
            "CONVO_PRECHAT_FIELDS",
            r#"[{"id":"plan","label":"Plan","type":"select","options":["a"],"required":true}]"#,
        )])
        .unwrap();
        assert_eq!(c.prechat_fields.len(), 1);
        assert!(c.prechat_fields[0].required);
        let message = config(&[(
            "CONVO_PRECHAT_FIELDS",
            r#"[{"id":"ok","label":"OK","type":"text"},{"id":"when","label":"When","type":"date"}]"#,
        )])
        .unwrap_err()
        .to_string();
        assert!(
            message.contains("CONVO_PRECHAT_FIELDS") && message.contains("\"when\""),
            "{message}"
        );
        assert!(config(&[("CONVO_PRECHAT_FIELDS", "plan")]).is_err());
    }

    #[test]
    fn test_trusted_proxies_are_cidrs_or_addresses() {
        let c = config(&[("CONVO_TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.1,fd00::/8")]).unwrap();
        let got: Vec<String> = c.trusted_proxies.iter().map(ToString::to_string).collect();
        assert_eq!(got, ["10.0.0.0/8", "192.168.1.1/32", "fd00::/8"]);
        let message =
            config(&[("CONVO_TRUSTED_PROXIES", "10.0.0.0/8,proxy")]).unwrap_err().to_string();
        assert!(message.contains("proxy"), "{message}");
        assert!(config(&[]).unwrap().trusted_proxies.is_empty());
    }

    #[test]
    fn test_emulator_mode_listens_on_loopback_only() {
        for name in ["CONVO_LISTEN", "CONVO_EMULATOR_LISTEN"] {
            for address in ["0.0.0.0:8787", "192.168.1.5:8787", "[::]:8787"] {
                let message = config(&[(name, address)]).unwrap_err().to_string();
                assert!(message.contains(name) && message.contains("loopback"), "{message}");
            }
            assert!(config(&[(name, "[::1]:8787")]).is_ok());
        }
        // With Twilio there is no emulator: a public address is the site owner's choice.
        let mut public = TWILIO.to_vec();
        public.push(("CONVO_LISTEN", "192.0.2.10:8787"));
        assert_eq!(config(&public).unwrap().listen, ([192, 0, 2, 10], 8787).into());
    }
}
