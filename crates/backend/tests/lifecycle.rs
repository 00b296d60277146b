//! A conversation's life as the backend runs it: the timers it sets on every conversation,
//! session handles that expire and rotate, closed conversations, the twilsock URL and
//! reachability (against a fake of Twilio's REST API too), rate limiting behind proxies, and
//! verified users resuming from another device. Loopback only.

use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::{SystemTime, UNIX_EPOCH},
};

use axum::{extract::State, http::StatusCode, routing::any, Json, Router};
use convo_backend::{
    session::{identity_signature, Session},
    testing::TestStack,
    Backend, BackendConfig, Mode, Timers, CONVERSATION_CLOSED_CODE, SESSION_EXPIRED_CODE,
};
use serde_json::{json, Value};

const AUTH: (&str, &str) = ("AC00000000000000000000000000000000", "convo-dev-auth-token");
const SECRET: &str = "lifecycle-test-session-secret";

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

async fn post_with(
    stack: &TestStack,
    path: &str,
    body: &Value,
    headers: &[(&str, &str)],
) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .post(format!("{}{path}", stack.backend.url()))
        .header("Content-Type", "application/json")
        .body(body.to_string());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

async fn post(stack: &TestStack, path: &str, body: Value) -> (u16, Value) {
    post_with(stack, path, &body, &[]).await
}

async fn post_ok(stack: &TestStack, path: &str, body: Value) -> Value {
    let (status, json) = post(stack, path, body.clone()).await;
    assert_eq!(status, 200, "{path} {body}: {json}");
    json
}

/// A REST call to the emulator, as a site owner's own tools would make it.
async fn rest(
    stack: &TestStack,
    method: reqwest::Method,
    path: &str,
    form: &[(&str, &str)],
) -> Value {
    reqwest::Client::new()
        .request(method, format!("{}{path}", stack.emulator.url()))
        .basic_auth(AUTH.0, Some(AUTH.1))
        .form(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap_or(Value::Null)
}

async fn conversation(stack: &TestStack, sid: &str) -> Value {
    rest(stack, reqwest::Method::GET, &format!("/v1/Conversations/{sid}"), &[]).await
}

async fn close(stack: &TestStack, sid: &str) {
    let closed = rest(
        stack,
        reqwest::Method::POST,
        &format!("/v1/Conversations/{sid}"),
        &[("State", "closed")],
    )
    .await;
    assert_eq!(closed["state"], "closed", "{closed}");
}

fn unix(rfc3339: &Value) -> u64 {
    convo_wire::time::parse_rfc3339(rfc3339.as_str().unwrap()).unwrap() / 1000
}

// 1. Timers

#[tokio::test]
async fn test_a_created_conversation_carries_the_configured_timers() {
    let stack = TestStack::spawn().await;
    let grant = post_ok(&stack, "/api/session", json!({})).await;
    let c = conversation(&stack, grant["conversation_sid"].as_str().unwrap()).await;
    let t0 = now();
    let inactive = unix(&c["timers"]["date_inactive"]);
    let closed = unix(&c["timers"]["date_closed"]);
    // The defaults: PT30M and P1D from creation.
    assert!(inactive.abs_diff(t0 + 1800) <= 5, "{c}");
    assert!(closed.abs_diff(t0 + 86_400) <= 5, "{c}");
    assert_eq!(c["state"], "active");
    stack.shutdown().await;

    let stack = TestStack::spawn_with(|c| {
        c.timers = Timers { inactive: None, closed: Some("PT2H".to_owned()) };
    })
    .await;
    let grant = post_ok(&stack, "/api/session", json!({})).await;
    let c = conversation(&stack, grant["conversation_sid"].as_str().unwrap()).await;
    assert!(c["timers"].get("date_inactive").is_none_or(Value::is_null), "disabled: {c}");
    assert!(unix(&c["timers"]["date_closed"]).abs_diff(now() + 7200) <= 5, "{c}");
}

// 2. The visitor ends and rates the chat

#[tokio::test]
async fn test_the_visitor_ends_the_chat_and_rates_it_into_the_conversation_attributes() {
    let stack = TestStack::spawn().await;
    let grant = post_ok(&stack, "/api/session", json!({ "name": "Ana" })).await;
    let sid = grant["conversation_sid"].as_str().unwrap();
    let session = &grant["session"];

    let ended = post_ok(&stack, "/api/end", json!({ "session": session })).await;
    assert_eq!(ended, json!({ "conversation_sid": sid, "state": "closed" }));
    let after = conversation(&stack, sid).await;
    assert_eq!(after["state"], "closed", "{after}");
    let attributes: Value = serde_json::from_str(after["attributes"].as_str().unwrap()).unwrap();
    assert_eq!(attributes["ended_by"], "visitor", "{attributes}");
    assert_eq!(attributes["visitor"]["name"], "Ana", "the other attributes are kept");
    // Ending twice (a second tab) is not an error.
    post_ok(&stack, "/api/end", json!({ "session": session })).await;

    let (status, body) = post(
        &stack,
        "/api/rating",
        json!({ "session": session, "score": 5, "comment": "  quick and kind " }),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let rated = conversation(&stack, sid).await;
    let attributes: Value = serde_json::from_str(rated["attributes"].as_str().unwrap()).unwrap();
    assert_eq!(attributes["rating"], json!({ "score": 5, "comment": "quick and kind" }));
    assert_eq!(attributes["ended_by"], "visitor");

    for (bad, says) in [
        (json!({ "session": session, "score": 0 }), "from 1 to 5"),
        (json!({ "session": session, "score": 6 }), "from 1 to 5"),
        (json!({ "session": session, "score": 4.5 }), "JSON object like"),
        (json!({ "session": session, "score": 3, "comment": "x".repeat(1001) }), "at most 1000"),
        (json!({ "session": session, "score": 3, "extra": true }), "unknown field"),
    ] {
        let (status, body) = post(&stack, "/api/rating", bad.clone()).await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert!(body["message"].as_str().unwrap().contains(says), "{bad}: {body}");
    }
    let unchanged = conversation(&stack, sid).await;
    assert_eq!(unchanged["attributes"], rated["attributes"], "a refused rating changes nothing");
}

#[tokio::test]
async fn test_ending_or_rating_needs_a_valid_session_of_that_conversation() {
    let stack = secret_stack().await;
    let grant = post_ok(&stack, "/api/session", json!({})).await;
    let sid = grant["conversation_sid"].as_str().unwrap();
    for path in ["/api/end", "/api/rating"] {
        let forged = json!({ "session": "forged.handle", "score": 1 });
        let body = if path == "/api/end" { json!({ "session": "forged.handle" }) } else { forged };
        let (status, json) = post(&stack, path, body).await;
        assert_eq!(status, 401, "{path}: {json}");
    }
    let expired = Session {
        identity: grant["identity"].as_str().unwrap().to_owned(),
        conversation: sid.to_owned(),
        expires: Some(now() - 1),
    }
    .seal(SECRET);
    let (status, json) = post(&stack, "/api/end", json!({ "session": expired })).await;
    assert_eq!((status, json["code"].clone()), (401, json!(SESSION_EXPIRED_CODE)), "{json}");
    assert_eq!(conversation(&stack, sid).await["state"], "active", "nothing was closed");
}

// 3. Session handles

async fn secret_stack() -> TestStack {
    TestStack::spawn_with(|c| c.session_secret = SECRET.to_owned()).await
}

#[tokio::test]
async fn test_a_refresh_rotates_the_handle_and_the_old_one_stays_valid_until_its_expiry() {
    let stack = secret_stack().await;
    let first = post_ok(&stack, "/api/session", json!({})).await;
    let expires = unix(&first["session_expires_at"]);
    assert!(expires.abs_diff(now() + 30 * 86_400) <= 5, "30 days by default: {first}");
    let opened = Session::open(first["session"].as_str().unwrap(), SECRET, now()).unwrap();
    assert_eq!(opened.expires, Some(expires));

    // A second later (expiries are whole seconds) the refresh seals a later expiry.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let refreshed = post_ok(&stack, "/api/token", json!({ "session": first["session"] })).await;
    assert_ne!(refreshed["session"], first["session"], "a new handle");
    assert!(unix(&refreshed["session_expires_at"]) > expires, "with a fresh expiry");
    assert_eq!(refreshed["conversation_sid"], first["conversation_sid"]);
    // Another tab still holds the first handle: it keeps working.
    let other_tab = post_ok(&stack, "/api/token", json!({ "session": first["session"] })).await;
    assert_eq!(other_tab["conversation_sid"], first["conversation_sid"]);
    post_ok(&stack, "/api/token", json!({ "session": refreshed["session"] })).await;
}

#[tokio::test]
async fn test_an_expired_or_pre_expiry_handle_is_refused_with_the_session_expired_code() {
    let stack = secret_stack().await;
    let grant = post_ok(&stack, "/api/session", json!({})).await;
    let session = Session::open(grant["session"].as_str().unwrap(), SECRET, now()).unwrap();
    let expired = Session { expires: Some(now() - 1), ..session.clone() }.seal(SECRET);
    let legacy = Session { expires: None, ..session }.seal(SECRET);
    for (what, handle) in [("expired", &expired), ("without an expiry", &legacy)] {
        for path in ["/api/token", "/api/session"] {
            let (status, body) = post(&stack, path, json!({ "session": handle })).await;
            assert_eq!(status, 401, "{what} on {path}: {body}");
            assert_eq!(body["code"], SESSION_EXPIRED_CODE, "{what} on {path}: {body}");
            assert_eq!(body["status"], 401);
            assert!(body["message"].as_str().unwrap().contains("expired"), "{body}");
        }
    }
    // A forged handle is told apart: 401 with the other code.
    let (status, body) =
        post(&stack, "/api/token", json!({ "session": format!("x{expired}") })).await;
    assert_eq!((status, body["code"].as_u64()), (401, Some(20003)), "{body}");
}

#[tokio::test]
async fn test_a_short_session_ttl_is_honoured() {
    let stack = TestStack::spawn_with(|c| {
        c.session_secret = SECRET.to_owned();
        c.session_ttl = std::time::Duration::from_secs(3600);
    })
    .await;
    let grant = post_ok(&stack, "/api/session", json!({})).await;
    assert!(unix(&grant["session_expires_at"]).abs_diff(now() + 3600) <= 5, "{grant}");
    let handle = grant["session"].as_str().unwrap();
    assert!(Session::open(handle, SECRET, now() + 3599).is_ok());
    assert!(Session::open(handle, SECRET, now() + 3601).is_err());
}

#[tokio::test]
async fn test_a_closed_conversation_refuses_a_token_unless_its_history_is_asked_for() {
    let stack = TestStack::spawn().await;
    let grant = post_ok(&stack, "/api/session", json!({})).await;
    close(&stack, grant["conversation_sid"].as_str().unwrap()).await;
    let (status, body) = post(&stack, "/api/token", json!({ "session": grant["session"] })).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["code"], CONVERSATION_CLOSED_CODE, "{body}");
    assert!(body["message"].as_str().unwrap().contains("closed_ok"), "{body}");
    let history =
        post_ok(&stack, "/api/token", json!({ "session": grant["session"], "closed_ok": true }))
            .await;
    assert_eq!(history["conversation_sid"], grant["conversation_sid"]);
}

// 4. The twilsock URL and reachability

#[tokio::test]
async fn test_grants_name_the_emulators_twilsock_url() {
    let stack = TestStack::spawn().await;
    let grant = post_ok(&stack, "/api/session", json!({})).await;
    assert_eq!(grant["twilsock_url"], stack.emulator.twilsock_url());
    assert_eq!(grant["region"], "local");
    let refreshed = post_ok(&stack, "/api/token", json!({ "session": grant["session"] })).await;
    assert_eq!(refreshed["twilsock_url"], stack.emulator.twilsock_url());
}

type Recorded = Arc<Mutex<Vec<(String, String, String)>>>;

/// A stand-in for Twilio's REST API: records `(method, path, form body)` and answers what the
/// backend needs, with `reachability` as the configuration's `reachability_enabled`.
async fn fake_twilio(reachability: bool) -> (SocketAddr, Recorded) {
    let recorded: Recorded = Arc::default();
    async fn handle(
        State((recorded, reachability)): State<(Recorded, bool)>,
        method: axum::http::Method,
        uri: axum::http::Uri,
        headers: axum::http::HeaderMap,
        body: String,
    ) -> (StatusCode, Json<Value>) {
        let authorized =
            headers.get("authorization").is_some_and(|v| v.to_str().unwrap().starts_with("Basic "));
        recorded.lock().unwrap().push((method.to_string(), uri.path().to_owned(), body));
        if !authorized {
            return (StatusCode::UNAUTHORIZED, Json(json!({ "status": 401, "code": 20003 })));
        }
        let path = uri.path();
        let sid = "CH00000000000000000000000000000001";
        if path.ends_with("/Configuration") {
            (StatusCode::OK, Json(json!({ "reachability_enabled": reachability })))
        } else if path.ends_with("/Conversations") {
            (StatusCode::CREATED, Json(json!({ "sid": sid, "state": "active" })))
        } else {
            (StatusCode::CREATED, Json(json!({ "sid": "MB1" })))
        }
    }
    let app = Router::new().fallback(any(handle)).with_state((recorded.clone(), reachability));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr, recorded)
}

fn twilio_config(api: SocketAddr) -> BackendConfig {
    let lookup = |name: &str| {
        let value = match name {
            "TWILIO_ACCOUNT_SID" => "AC11111111111111111111111111111111",
            "TWILIO_API_KEY" => "SK11111111111111111111111111111111",
            "TWILIO_API_SECRET" => "api-secret",
            "TWILIO_AUTH_TOKEN" => "auth-token",
            "TWILIO_CONVERSATIONS_SERVICE_SID" => "IS11111111111111111111111111111111",
            "TWILIO_REGION" => "ie1",
            _ => return None,
        };
        Some(value.to_owned())
    };
    let mut config = BackendConfig::from_lookup(lookup).unwrap();
    assert_eq!(config.mode, Mode::Twilio);
    config.api_url = format!("http://{api}");
    config
}

#[tokio::test]
async fn test_in_twilio_mode_the_backend_enables_reachability_and_sends_twilios_twilsock_url() {
    let (api, recorded) = fake_twilio(true).await;
    let backend = Backend::spawn(twilio_config(api), ([127, 0, 0, 1], 0).into()).await.unwrap();
    {
        let calls = recorded.lock().unwrap();
        assert_eq!(
            (calls[0].0.as_str(), calls[0].1.as_str(), calls[0].2.as_str()),
            (
                "POST",
                "/v1/Services/IS11111111111111111111111111111111/Configuration",
                "ReachabilityEnabled=true"
            ),
            "reachability is enabled at start-up: {calls:?}"
        );
    }
    let response = reqwest::Client::new()
        .post(format!("{}/api/session", backend.url()))
        .header("Content-Type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let grant: Value = response.json().await.unwrap();
    assert_eq!(grant["twilsock_url"], "wss://tsock.ie1.twilio.com/v3/wsconnect");
    assert_eq!(grant["region"], "ie1");
    {
        let calls = recorded.lock().unwrap();
        let create = calls.iter().find(|c| c.1.ends_with("/Conversations")).expect("a create");
        let form: Vec<(String, String)> = serde_urlencoded::from_str(&create.2).unwrap();
        let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        assert_eq!(field("Timers.Inactive"), Some("PT30M"), "{form:?}");
        assert_eq!(field("Timers.Closed"), Some("P1D"), "{form:?}");
        assert_eq!(field("State"), Some("active"), "Twilio needs a State with timers: {form:?}");
    }
    backend.shutdown().await;
}

#[tokio::test]
async fn test_the_backend_refuses_to_start_when_reachability_cannot_be_enabled() {
    let (api, _) = fake_twilio(false).await;
    let error = Backend::spawn(twilio_config(api), ([127, 0, 0, 1], 0).into()).await.unwrap_err();
    assert!(error.to_string().contains("reachability"), "{error}");
}

// 5. Rate limiting behind proxies

async fn token_status(stack: &TestStack, headers: &[(&str, &str)]) -> u16 {
    // An empty body is a 400 from the handler, after the limiter counted it; a 429 is the
    // limiter's.
    post_with(stack, "/api/token", &json!({}), headers).await.0
}

#[tokio::test]
async fn test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_bucket() {
    let stack = TestStack::spawn_with(|c| {
        c.rate_limit_per_minute = 2;
        c.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()];
    })
    .await;
    let a = [("X-Forwarded-For", "198.51.100.9, 203.0.113.1")];
    let b = [("X-Forwarded-For", "203.0.113.2")];
    assert_eq!(token_status(&stack, &a).await, 400);
    assert_eq!(token_status(&stack, &a).await, 400);
    assert_eq!(token_status(&stack, &a).await, 429, "203.0.113.1 used its two");
    assert_eq!(token_status(&stack, &b).await, 400, "203.0.113.2 has its own bucket");
    let forwarded = [("Forwarded", "for=203.0.113.3")];
    assert_eq!(token_status(&stack, &forwarded).await, 400, "Forwarded works too");
    // IPv6 clients: one bucket per /64.
    let v6 = |addr: &'static str| [("X-Forwarded-For", addr)];
    assert_eq!(token_status(&stack, &v6("2001:db8:5:6::1")).await, 400);
    assert_eq!(token_status(&stack, &v6("2001:db8:5:6:ffff::2")).await, 400);
    assert_eq!(token_status(&stack, &v6("2001:db8:5:6:1234::3")).await, 429, "same /64");
    assert_eq!(token_status(&stack, &v6("2001:db8:5:7::1")).await, 400, "another /64");
}

#[tokio::test]
async fn test_from_an_untrusted_peer_forwarded_headers_are_ignored() {
    let stack = TestStack::spawn_with(|c| {
        c.rate_limit_per_minute = 2;
        c.trusted_proxies = vec!["10.0.0.0/8".parse().unwrap()];
    })
    .await;
    for (i, spoof) in ["203.0.113.1", "203.0.113.2", "203.0.113.3"].into_iter().enumerate() {
        let expected = if i < 2 { 400 } else { 429 };
        assert_eq!(
            token_status(&stack, &[("X-Forwarded-For", spoof), ("Forwarded", "for=192.0.2.1")])
                .await,
            expected,
            "spoofed {spoof}: one bucket for the real peer"
        );
    }
}

#[tokio::test]
async fn test_the_agent_desk_is_rate_limited_too() {
    let stack = TestStack::spawn_with(|c| c.agent_rate_limit_per_minute = 2).await;
    let list = || async {
        reqwest::get(format!("{}/api/agent/conversations", stack.backend.url()))
            .await
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(list().await, 200);
    assert_eq!(list().await, 200);
    assert_eq!(list().await, 429);
    // Visitors from the same address keep their own allowance.
    assert_eq!(token_status(&stack, &[]).await, 400);
}

// 6. Known users

#[tokio::test]
async fn test_a_verified_user_resumes_their_open_conversation_from_another_device() {
    let stack = TestStack::spawn_with(|c| c.identity_secret = Some("host-secret".to_owned())).await;
    let user = json!({
        "identity": "user-42",
        "identity_signature": identity_signature("host-secret", "user-42"),
    });
    let with = |extra: Value| {
        let mut body = user.clone();
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        body
    };
    let laptop = post_ok(&stack, "/api/session", with(json!({ "question": "first" }))).await;
    // The phone has no handle: the same user's open conversation, not a new one.
    let phone = post_ok(&stack, "/api/session", with(json!({ "question": "from my phone" }))).await;
    assert_eq!(phone["conversation_sid"], laptop["conversation_sid"]);
    assert_eq!(phone["identity"], "user-42");
    let sid = laptop["conversation_sid"].as_str().unwrap();
    let messages =
        rest(&stack, reqwest::Method::GET, &format!("/v1/Conversations/{sid}/Messages"), &[]).await;
    let bodies: Vec<&str> = messages["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["author"] == "user-42")
        .filter_map(|m| m["body"].as_str())
        .collect();
    assert_eq!(bodies, ["first", "from my phone"], "the phone's question is not lost");
    let list = rest(&stack, reqwest::Method::GET, "/v1/Conversations", &[]).await;
    assert_eq!(list["conversations"].as_array().unwrap().len(), 1);

    // Once it has closed, a new device starts a new conversation.
    close(&stack, sid).await;
    let tablet = post_ok(&stack, "/api/session", user.clone()).await;
    assert_ne!(tablet["conversation_sid"], laptop["conversation_sid"]);
    // Anonymous visitors never share: each has a new identity and conversation.
    let a = post_ok(&stack, "/api/session", json!({})).await;
    let b = post_ok(&stack, "/api/session", json!({})).await;
    assert_ne!(a["conversation_sid"], b["conversation_sid"]);
}
