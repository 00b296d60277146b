//! The `/api` router.

mod token;

use std::sync::Arc;

use axum::{
    http::{header, HeaderValue, Method},
    routing::post,
    Router,
};
use tower_http::{cors::CorsLayer, limit::RequestBodyLimitLayer};

use crate::BackendConfig;

/// Bodies of the API are small JSON objects; anything larger is refused with 413.
const MAX_BODY_BYTES: usize = 16 * 1024;

pub(crate) fn router(config: BackendConfig) -> Router {
    let allowed = Arc::new(config.allowed_origins.clone());
    let cors = CorsLayer::new()
        .allow_methods([Method::POST])
        .allow_headers([header::CONTENT_TYPE])
        .allow_origin(tower_http::cors::AllowOrigin::predicate(move |origin: &HeaderValue, _| {
            origin.to_str().is_ok_and(|o| is_loopback_origin(o) || allowed.iter().any(|a| a == o))
        }));
    Router::new()
        .route("/api/token", post(token::issue))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(cors)
        .with_state(Arc::new(config))
}

/// Pages served from this machine (the Trunk dev server, test runners) may always call the
/// API; the backend itself only ever binds loopback by default.
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
