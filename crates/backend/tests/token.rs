//! `POST /api/token` over HTTP: the token verifies with the API secret, carries the identity,
//! and bad input is refused with a clear message.

use std::time::{SystemTime, UNIX_EPOCH};

use convo_backend::{Backend, BackendConfig};
use convo_wire::{token, Credentials};
use serde_json::{json, Value};

async fn backend() -> Backend {
    Backend::spawn(BackendConfig::development(), ([127, 0, 0, 1], 0).into()).await.unwrap()
}

async fn post(backend: &Backend, body: &str, origin: Option<&str>) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .post(format!("{}/api/token", backend.url()))
        .header("Content-Type", "application/json")
        .body(body.to_owned());
    if let Some(origin) = origin {
        request = request.header("Origin", origin);
    }
    request.send().await.unwrap()
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

#[tokio::test]
async fn test_token_is_a_twilio_access_token_for_the_identity() {
    let backend = backend().await;
    let response = post(&backend, r#"{"identity":"Zoë Ω-1"}"#, None).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["identity"], "Zoë Ω-1");
    let dev = Credentials::development();
    let claims = token::verify(body["token"].as_str().unwrap(), &dev.api_secret, now()).unwrap();
    assert_eq!(claims.identity(), Some("Zoë Ω-1"));
    assert_eq!(claims.iss, dev.api_key);
    assert_eq!(claims.sub, dev.account_sid);
    assert_eq!(claims.jti, format!("{}-{}", dev.api_key, claims.iat));
    assert_eq!(
        claims.grants.chat.unwrap().service_sid.as_deref(),
        Some(dev.chat_service_sid.as_str())
    );
    assert_eq!(claims.exp - claims.iat, 3600, "default TTL is one hour");
    assert_eq!(body["expires_at"], convo_wire::time::rfc3339(claims.exp));
}

#[tokio::test]
async fn test_no_identity_gets_a_fresh_visitor_identity() {
    let backend = backend().await;
    let first: Value = post(&backend, "", None).await.json().await.unwrap();
    let second: Value = post(&backend, "{}", None).await.json().await.unwrap();
    let (a, b) = (first["identity"].as_str().unwrap(), second["identity"].as_str().unwrap());
    assert!(a.starts_with("visitor-") && b.starts_with("visitor-"));
    assert_ne!(a, b);
}

#[tokio::test]
async fn test_bad_input_is_refused_with_a_twilio_error_body() {
    let backend = backend().await;
    let long = "x".repeat(257);
    for (body, fragment) in [
        ("not json".to_owned(), "JSON object"),
        (r#"{"identity":""}"#.to_owned(), "must not be empty"),
        (json!({ "identity": long }).to_string(), "257 characters"),
        (r#"{"identity":"a\u0000b"}"#.to_owned(), "control characters"),
        (r#"{"identity":"a","admin":true}"#.to_owned(), "unknown field"),
        (r#"{"identity":5}"#.to_owned(), "JSON object"),
    ] {
        let response = post(&backend, &body, None).await;
        assert_eq!(response.status(), 400, "{body}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["status"], 400);
        assert!(error["message"].as_str().unwrap().contains(fragment), "{body}: {error}");
        assert!(error["more_info"]
            .as_str()
            .unwrap()
            .starts_with("https://www.twilio.com/docs/errors/"));
    }
}

#[tokio::test]
async fn test_oversized_body_is_refused_with_413() {
    let backend = backend().await;
    let body = json!({ "identity": "x".repeat(20_000) }).to_string();
    assert_eq!(post(&backend, &body, None).await.status(), 413);
}

#[tokio::test]
async fn test_cors_answers_loopback_and_configured_origins_only() {
    let mut config = BackendConfig::development();
    config.allowed_origins = vec!["https://shop.example".to_owned()];
    let backend = Backend::spawn(config, ([127, 0, 0, 1], 0).into()).await.unwrap();
    for (origin, allowed) in [
        ("http://127.0.0.1:8080", true),
        ("https://shop.example", true),
        ("https://evil.example", false),
    ] {
        let response = post(&backend, "{}", Some(origin)).await;
        let header = response
            .headers()
            .get("access-control-allow-origin")
            .map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(header.as_deref(), allowed.then_some(origin), "{origin}");
    }
}
