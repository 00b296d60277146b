//! The `/api` router: visitor sessions, token refresh, ending and rating a chat, the Twilio
//! webhook, and with the embedded emulator the demo's agent desk.

mod agent;
mod availability;
mod ending;
mod guard;
mod prechat_fields;
mod session;
mod token;
mod webhook;

use std::{net::SocketAddr, sync::Arc, time::Instant};

use axum::{
    extract::{ConnectInfo, Request, State},
    http::{header, HeaderValue, Method},
    middleware::{self, Next},
    response::Response,
    routing::{get, post},
    Router,
};
use tower_http::{cors::CorsLayer, limit::RequestBodyLimitLayer};

pub(crate) use agent::AGENT_IDENTITY;

use crate::{config::Mode, state::AppState, BackendError};

/// Bodies are small JSON objects (a question is at most 32 KB); anything larger is a 413.
const MAX_BODY_BYTES: usize = 64 * 1024;

pub(crate) fn router(state: Arc<AppState>) -> Router {
    let allowed = state.config.allowed_origins.clone();
    let request_timeout = state.config.server.request_timeout;
    let cors = CorsLayer::new()
        .allow_methods([Method::POST])
        .allow_headers([header::CONTENT_TYPE])
        .allow_origin(tower_http::cors::AllowOrigin::predicate(move |origin: &HeaderValue, _| {
            origin.to_str().is_ok_and(|o| is_loopback_origin(o) || allowed.iter().any(|a| a == o))
        }));
    let visitor_api = Router::new()
        .route("/api/session", post(session::create))
        .route("/api/token", post(token::refresh))
        .route("/api/end", post(ending::end))
        .route("/api/rating", post(ending::rate))
        .route("/api/availability", post(availability::agents))
        .layer(middleware::from_fn_with_state(state.clone(), guard::json_from_allowed_origin))
        .layer(middleware::from_fn_with_state(state.clone(), rate_limit))
        .layer(cors);
    let agent_desk = match state.config.mode {
        Mode::Emulator { .. } => Router::new()
            .route("/api/agent/conversations", get(agent::conversations))
            .route("/api/agent/session", post(agent::session))
            .route("/api/agent/resolve", post(agent::resolve))
            .route("/api/agent/desk", post(agent::desk))
            .layer(middleware::from_fn_with_state(state.clone(), guard::json_from_allowed_origin))
            .layer(middleware::from_fn(guard::loopback_host))
            .layer(middleware::from_fn_with_state(state.clone(), agent_rate_limit)),
        Mode::Twilio => Router::new(),
    };
    Router::new()
        .merge(visitor_api)
        .merge(agent_desk)
        // Twilio's servers call this one: no CORS, no per-address limit, signature checked.
        .route("/api/webhook", post(webhook::receive))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(middleware::from_fn(move |request, next| {
            convo_emulator::server::request_timeout(request_timeout, request, next)
        }))
        .with_state(state)
}

async fn rate_limit(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Result<Response, BackendError> {
    limited(&state, &state.limiter, peer, request, next).await
}

/// The desk's own allowance: it polls its list every few seconds, which must not use up the
/// visitors' budget of the same (loopback) address.
async fn agent_rate_limit(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Result<Response, BackendError> {
    limited(&state, &state.agent_limiter, peer, request, next).await
}

async fn limited(
    state: &AppState,
    limiter: &crate::rate_limit::RateLimiter,
    peer: SocketAddr,
    request: Request,
    next: Next,
) -> Result<Response, BackendError> {
    // Preflights are free: a browser sends one before every cross-origin POST.
    if request.method() != Method::OPTIONS {
        let key =
            crate::client_addr::bucket(peer.ip(), request.headers(), &state.config.trusted_proxies);
        limiter
            .check(key, Instant::now())
            .map_err(|retry_after| BackendError::RateLimited { retry_after })?;
    }
    Ok(next.run(request).await)
}

/// Pages served from this machine (the Trunk dev server, test runners) may always call the
/// API; the backend itself only binds loopback by default.
fn is_loopback_origin(origin: &str) -> bool {
    let Some(rest) = origin.strip_prefix("http://") else { return false };
    let host = rest.rsplit_once(':').map_or(rest, |(host, port)| {
        if port.bytes().all(|b| b.is_ascii_digit()) {
            host
        } else {
            rest
        }
    });
    matches!(host, "127.0.0.1" | "localhost" | "[::1]")
}

#[cfg(test)]
mod tests {
    use super::is_loopback_origin;

    #[test]
    fn test_loopback_origins() {
        for ok in
            ["http://127.0.0.1:8080", "http://localhost:3000", "http://localhost", "http://[::1]:9"]
        {
            assert!(is_loopback_origin(ok), "{ok}");
        }
        for bad in [
            "https://evil.example",
            "http://127.0.0.1.evil.example",
            "http://localhost.evil:80",
            "null",
            "http://10.0.0.1:80",
        ] {
            assert!(!is_loopback_origin(bad), "{bad}");
        }
    }
}
