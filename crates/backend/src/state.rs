//! What every request handler shares.

use std::{collections::HashSet, net::SocketAddr, sync::Mutex};

use crate::{rate_limit::RateLimiter, twilio::TwilioApi, BackendConfig};

#[derive(Debug)]
pub(crate) struct AppState {
    pub(crate) config: BackendConfig,
    pub(crate) twilio: TwilioApi,
    pub(crate) limiter: RateLimiter,
    /// The demo agent desk's routes, apart from the visitors'.
    pub(crate) agent_limiter: RateLimiter,
    /// The exact URL Twilio signs webhooks for.
    pub(crate) webhook_url: String,
    /// Conversations the bot has greeted (webhooks may be retried).
    pub(crate) greeted: Mutex<HashSet<String>>,
}

impl AppState {
    pub(crate) fn new(config: BackendConfig, bound: SocketAddr) -> std::sync::Arc<Self> {
        let c = &config.credentials;
        std::sync::Arc::new(AppState {
            twilio: TwilioApi::new(&config.api_url, &c.chat_service_sid, &c.api_key, &c.api_secret),
            limiter: RateLimiter::new(config.rate_limit_per_minute),
            agent_limiter: RateLimiter::new(config.agent_rate_limit_per_minute),
            webhook_url: config.webhook_url(bound),
            greeted: Mutex::new(HashSet::new()),
            config,
        })
    }
}
