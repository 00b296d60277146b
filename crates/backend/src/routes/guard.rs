//! Request checks in front of the handlers: what makes a cross-site request forgery or a
//! DNS-rebinding page fail before any state changes.
//!
//! * State-changing routes take `Content-Type: application/json` only. A page on another site
//!   can send a "simple" request (form or `text/plain`) without a CORS preflight; a JSON one
//!   needs the preflight, which the CORS allow-list answers.
//! * A browser's `Origin`, when sent, must be allowed (loopback pages, `CONVO_ALLOWED_ORIGINS`,
//!   or this server's own origin), so CORS stops writes and not only reads.
//! * The demo's agent desk answers only requests addressed to a loopback name: a rebinding
//!   page's requests carry its own host name in `Host`.

use std::sync::Arc;

use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, Method},
    middleware::Next,
    response::Response,
};

use super::is_loopback_origin;
use crate::{state::AppState, BackendError};

/// POSTs must be JSON from an allowed origin.
pub(crate) async fn json_from_allowed_origin(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Result<Response, BackendError> {
    if request.method() == Method::POST {
        let headers = request.headers();
        if !is_json(headers) {
            return Err(BackendError::UnsupportedMediaType(
                "the body must be JSON, sent with Content-Type: application/json".to_owned(),
            ));
        }
        if let Some(origin) = headers.get(header::ORIGIN) {
            let allowed = origin.to_str().is_ok_and(|origin| {
                is_loopback_origin(origin)
                    || state.config.allowed_origins.iter().any(|a| a == origin)
                    || same_origin(origin, headers)
            });
            if !allowed {
                return Err(BackendError::Forbidden(format!(
                    "requests from {} are not allowed (CONVO_ALLOWED_ORIGINS)",
                    origin.to_str().unwrap_or("this origin")
                )));
            }
        }
    }
    Ok(next.run(request).await)
}

/// The agent desk serves this machine only.
pub(crate) async fn loopback_host(request: Request, next: Next) -> Result<Response, BackendError> {
    let host = request.headers().get(header::HOST).and_then(|h| h.to_str().ok());
    if !host.is_some_and(is_loopback_host) {
        return Err(BackendError::Forbidden(
            "the agent desk answers only on 127.0.0.1, localhost or [::1]".to_owned(),
        ));
    }
    Ok(next.run(request).await)
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

/// `Origin: https://shop.example` on a request to `Host: shop.example`: a page served by the
/// same host as this API (a site that serves both and never set `CONVO_ALLOWED_ORIGINS`).
fn same_origin(origin: &str, headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else { return false };
    origin.split_once("://").is_some_and(|(scheme, authority)| {
        matches!(scheme, "http" | "https") && authority.eq_ignore_ascii_case(host)
    })
}

fn is_loopback_host(host: &str) -> bool {
    // `[::1]:8787`, `127.0.0.1:8787`, `localhost` (a port, if any, is all digits).
    let name = match host.rsplit_once(':') {
        Some((name, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    };
    name.eq_ignore_ascii_case("localhost") || matches!(name, "127.0.0.1" | "[::1]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_loopback_hosts() {
        for ok in ["127.0.0.1:8787", "localhost", "LOCALHOST:80", "[::1]:8787", "[::1]"] {
            assert!(is_loopback_host(ok), "{ok}");
        }
        for bad in ["evil.example", "evil.example:8787", "127.0.0.1.evil.example", "localhost.:1"] {
            assert!(!is_loopback_host(bad), "{bad}");
        }
    }

    #[test]
    fn test_same_origin() {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, "shop.example".parse().unwrap());
        assert!(same_origin("https://shop.example", &headers));
        assert!(!same_origin("https://evil.example", &headers));
        assert!(!same_origin("null", &headers));
        assert!(!same_origin("https://shop.example", &HeaderMap::new()));
    }
}
