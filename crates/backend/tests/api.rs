//! The backend's visitor API against the in-process emulator: sessions, resume, refresh,
//! closed conversations, the webhook and the bot, and the abuse controls.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use convo_backend::{session::identity_signature, testing::TestStack};
use convo_wire::{token, Credentials};
use serde_json::{json, Value};

const AUTH: (&str, &str) = ("AC00000000000000000000000000000000", "convo-dev-auth-token");

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

async fn post(stack: &TestStack, path: &str, body: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}{path}", stack.backend.url()))
        .header("Content-Type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
}

async fn post_ok(stack: &TestStack, path: &str, body: Value) -> Value {
    let response = post(stack, path, &body.to_string()).await;
    let status = response.status();
    let json: Value = response.json().await.unwrap();
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
    let response = reqwest::Client::new()
        .request(method, format!("{}{path}", stack.emulator.url()))
        .basic_auth(AUTH.0, Some(AUTH.1))
        .form(form)
        .send()
        .await
        .unwrap();
    response.json().await.unwrap_or(Value::Null)
}

/// The agent desk's list of conversations.
async fn desk_list(stack: &TestStack) -> Value {
    reqwest::get(format!("{}/api/agent/conversations", stack.backend.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn messages(stack: &TestStack, conversation: &str) -> Vec<Value> {
    let page = rest(
        stack,
        reqwest::Method::GET,
        &format!("/v1/Conversations/{conversation}/Messages"),
        &[],
    )
    .await;
    page["messages"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn test_session_creates_the_conversation_posts_the_question_and_the_bot_answers() {
    let stack = TestStack::spawn().await;
    let grant = post_ok(&stack, "/api/session", json!({ "name": "Zoë O'Brien-Łukasz", "email": "zoe@example.org", "question": "Where is my order?", "locale": "fr-CA" })).await;
    let identity = grant["identity"].as_str().unwrap();
    let conversation = grant["conversation_sid"].as_str().unwrap();
    let claims = token::verify(
        grant["token"].as_str().unwrap(),
        &Credentials::development().api_secret,
        now(),
    )
    .unwrap();
    assert_eq!(claims.identity(), Some(identity));
    assert!(grant["session"].as_str().is_some_and(|s| !s.is_empty()));
    assert_eq!(grant["expires_at"], convo_wire::time::rfc3339(claims.exp));

    let c =
        rest(&stack, reqwest::Method::GET, &format!("/v1/Conversations/{conversation}"), &[]).await;
    let attributes: Value = serde_json::from_str(c["attributes"].as_str().unwrap()).unwrap();
    assert_eq!(attributes["visitor"]["name"], "Zoë O'Brien-Łukasz");
    assert_eq!(attributes["visitor"]["locale"], "fr-CA");
    let participants = rest(
        &stack,
        reqwest::Method::GET,
        &format!("/v1/Conversations/{conversation}/Participants"),
        &[],
    )
    .await;
    assert_eq!(participants["participants"][0]["identity"], identity);

    // The question, then the bot's greeting (delivered through the signed webhook).
    let mut seen = Vec::new();
    for _ in 0..50 {
        seen = messages(&stack, conversation).await;
        if seen.len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!(
        (seen[0]["author"].as_str(), seen[0]["body"].as_str()),
        (Some(identity), Some("Where is my order?"))
    );
    assert_eq!(seen[1]["author"], "convo-bot");
    assert_eq!(seen[1]["body"], "Thanks — an agent will be with you shortly.");
    assert_eq!(seen[1]["attributes"], r#"{"bot":true}"#);
}

#[tokio::test]
async fn test_resume_and_refresh_keep_the_same_conversation() {
    let stack = TestStack::spawn().await;
    let first = post_ok(&stack, "/api/session", json!({})).await;
    // A reload: the widget presents its stored handle.
    let resumed = post_ok(&stack, "/api/session", json!({ "session": first["session"] })).await;
    assert_eq!(resumed["conversation_sid"], first["conversation_sid"]);
    assert_eq!(resumed["identity"], first["identity"]);
    let refreshed = post_ok(&stack, "/api/token", json!({ "session": first["session"] })).await;
    assert_eq!(refreshed["conversation_sid"], first["conversation_sid"]);
    assert_eq!(refreshed["identity"], first["identity"]);
    let list = rest(&stack, reqwest::Method::GET, "/v1/Conversations", &[]).await;
    assert_eq!(list["conversations"].as_array().unwrap().len(), 1, "no second conversation");
}

#[tokio::test]
async fn test_a_closed_conversation_gives_a_new_one_only_when_asked() {
    let stack = TestStack::spawn().await;
    let first = post_ok(&stack, "/api/session", json!({ "question": "hi" })).await;
    let conversation = first["conversation_sid"].as_str().unwrap();
    rest(
        &stack,
        reqwest::Method::POST,
        &format!("/v1/Conversations/{conversation}"),
        &[("State", "closed")],
    )
    .await;

    let refused =
        post(&stack, "/api/session", &json!({ "session": first["session"] }).to_string()).await;
    assert_eq!(refused.status(), 409);
    let body: Value = refused.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("new_conversation"), "{body}");
    // The closed conversation's token can still be refreshed to show its history, when the
    // widget asks for that (issue 13: a page load must not reconnect an ended chat by default;
    // lifecycle.rs tests the refusal).
    post_ok(&stack, "/api/token", json!({ "session": first["session"], "closed_ok": true })).await;

    let fresh = post_ok(
        &stack,
        "/api/session",
        json!({ "session": first["session"], "new_conversation": true }),
    )
    .await;
    assert_ne!(fresh["conversation_sid"], first["conversation_sid"]);
    assert_eq!(fresh["identity"], first["identity"], "the same visitor");
}

#[tokio::test]
async fn test_forged_or_missing_sessions_are_refused() {
    let stack = TestStack::spawn().await;
    let first = post_ok(&stack, "/api/session", json!({})).await;
    let handle = first["session"].as_str().unwrap();
    let tampered = format!("x{handle}");
    for body in [json!({ "session": tampered }), json!({ "session": "" })] {
        assert_eq!(post(&stack, "/api/token", &body.to_string()).await.status(), 401, "{body}");
    }
    assert_eq!(post(&stack, "/api/token", "{}").await.status(), 400, "a token needs a session");
    rest(
        &stack,
        reqwest::Method::DELETE,
        &format!("/v1/Conversations/{}", first["conversation_sid"].as_str().unwrap()),
        &[],
    )
    .await;
    assert_eq!(
        post(&stack, "/api/token", &json!({ "session": handle }).to_string()).await.status(),
        401,
        "deleted"
    );
}

#[tokio::test]
async fn test_host_identities_need_a_valid_signature() {
    let stack = TestStack::spawn_with(|c| c.identity_secret = Some("host-secret".to_owned())).await;
    let signature = identity_signature("host-secret", "user-42");
    let grant = post_ok(
        &stack,
        "/api/session",
        json!({ "identity": "user-42", "identity_signature": signature }),
    )
    .await;
    assert_eq!(grant["identity"], "user-42");
    for body in [
        json!({ "identity": "user-43", "identity_signature": signature }),
        json!({ "identity": "user-42", "identity_signature": "00" }),
        json!({ "identity": "user-42" }),
    ] {
        let response = post(&stack, "/api/session", &body.to_string()).await;
        assert_eq!(response.status(), 403, "{body}");
    }
    let disabled = TestStack::spawn().await;
    let response = post(
        &disabled,
        "/api/session",
        &json!({ "identity": "user-42", "identity_signature": signature }).to_string(),
    )
    .await;
    assert_eq!(response.status(), 403, "no secret configured: refused");
}

#[tokio::test]
async fn test_bad_input_is_refused_with_a_clear_twilio_error() {
    let stack = TestStack::spawn().await;
    for (body, fragment) in [
        ("not json".to_owned(), "JSON object"),
        (json!({ "email": "nope" }).to_string(), "email"),
        (json!({ "name": "x".repeat(257) }).to_string(), "257 characters"),
        (json!({ "name": "a\u{0}b" }).to_string(), "control characters"),
        (json!({ "locale": "en US" }).to_string(), "locale"),
        (json!({ "question": "q".repeat(33_000) }).to_string(), "limit"),
        (json!({ "attributes": { "x": "y".repeat(5000) } }).to_string(), "attributes"),
        (json!({ "admin": true }).to_string(), "unknown field"),
        (
            json!({ "page_url": format!("https://shop.example/{}", "p".repeat(2048)) }).to_string(),
            "2069 characters",
        ),
        (json!({ "page_url": "javascript:alert(1)" }).to_string(), "http or https"),
        (json!({ "page_url": "https://shop.example/a b" }).to_string(), "http or https"),
        (json!({ "page_title": "t".repeat(257) }).to_string(), "257 characters"),
        (json!({ "page_title": "a\u{7}b" }).to_string(), "control characters"),
    ] {
        let response = post(&stack, "/api/session", &body).await;
        assert_eq!(response.status(), 400, "{}", &body[..body.len().min(80)]);
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["status"], 400);
        assert!(error["message"].as_str().unwrap().contains(fragment), "{error}");
        assert!(error["more_info"]
            .as_str()
            .unwrap()
            .starts_with("https://www.twilio.com/docs/errors/"));
    }
    let list = rest(&stack, reqwest::Method::GET, "/v1/Conversations", &[]).await;
    assert!(list["conversations"].as_array().unwrap().is_empty(), "nothing was created");
}

#[tokio::test]
async fn test_oversized_body_is_413() {
    let stack = TestStack::spawn().await;
    let body = json!({ "question": "x".repeat(70_000) }).to_string();
    assert_eq!(post(&stack, "/api/session", &body).await.status(), 413);
}

#[tokio::test]
async fn test_flood_is_rate_limited_per_address() {
    let stack = TestStack::spawn_with(|c| c.rate_limit_per_minute = 5).await;
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(post(&stack, "/api/token", "{}").await.status().as_u16());
    }
    assert_eq!(&statuses[..5], [400; 5], "allowed (and refused for the missing session)");
    assert_eq!(&statuses[5..], [429; 3]);
    let limited = post(&stack, "/api/session", "{}").await;
    assert_eq!(limited.status(), 429);
    let retry_after: u64 = limited.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=12).contains(&retry_after), "{retry_after}");
}

#[tokio::test]
async fn test_cors_answers_allowed_origins_only() {
    let stack =
        TestStack::spawn_with(|c| c.allowed_origins = vec!["https://shop.example".to_owned()])
            .await;
    for (origin, allowed) in [
        ("http://127.0.0.1:8080", true),
        ("https://shop.example", true),
        ("https://evil.example", false),
    ] {
        let response = reqwest::Client::new()
            .post(format!("{}/api/session", stack.backend.url()))
            .header("Origin", origin)
            .body("{}")
            .send()
            .await
            .unwrap();
        let header = response
            .headers()
            .get("access-control-allow-origin")
            .map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(header.as_deref(), allowed.then_some(origin), "{origin}");
    }
}

#[tokio::test]
async fn test_webhook_signature_is_checked() {
    let stack = TestStack::spawn().await;
    let url = format!("{}/api/webhook", stack.backend.url());
    let params = vec![
        ("EventType".to_owned(), "onConversationUpdated".to_owned()),
        ("ConversationSid".to_owned(), "CH1".to_owned()),
    ];
    let body = "EventType=onConversationUpdated&ConversationSid=CH1";
    let good = convo_wire::webhook::signature(AUTH.1, &url, &params);
    let bad = convo_wire::webhook::signature("wrong-token", &url, &params);
    for (signature, expected) in
        [(Some(good.as_str()), 200), (Some(bad.as_str()), 403), (None, 403)]
    {
        let mut request = reqwest::Client::new()
            .post(&url)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body);
        if let Some(signature) = signature {
            request = request.header("X-Twilio-Signature", signature);
        }
        assert_eq!(request.send().await.unwrap().status(), expected, "{signature:?}");
    }
}

#[tokio::test]
async fn test_the_demo_agent_desk_lists_joins_and_answers() {
    let stack = TestStack::spawn().await;
    let visitor = post_ok(&stack, "/api/session", json!({ "name": "Zoë" })).await;
    let sid = visitor["conversation_sid"].as_str().unwrap();
    let list = desk_list(&stack).await;
    assert_eq!(list[0]["sid"], sid);
    assert_eq!(list[0]["visitor"], "Zoë");

    // Joining twice is one participant, and both grants are the agent's, for that conversation.
    let path = format!("/api/agent/session?conversation={sid}");
    for _ in 0..2 {
        let grant = post_ok(&stack, &path, json!({})).await;
        assert_eq!(grant["identity"], "demo-agent");
        assert_eq!(grant["conversation_sid"], sid);
        let refreshed = post_ok(&stack, "/api/token", json!({ "session": grant["session"] })).await;
        assert_eq!(refreshed["identity"], "demo-agent");
    }
    let participants =
        rest(&stack, reqwest::Method::GET, &format!("/v1/Conversations/{sid}/Participants"), &[])
            .await;
    let identities: Vec<&str> = participants["participants"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["identity"].as_str())
        .collect();
    assert_eq!(identities.iter().filter(|i| **i == "demo-agent").count(), 1, "{identities:?}");

    let response = post(&stack, "/api/agent/session?conversation=CH..%2F", "{}").await;
    assert_eq!(response.status(), 400);
}

#[tokio::test]
async fn test_the_session_stores_the_visitors_page_and_question_for_the_desk() {
    let stack = TestStack::spawn().await;
    let question = format!("{}?", "Is it waterproof ".repeat(100));
    let visitor = post_ok(
        &stack,
        "/api/session",
        json!({
            "name": "Zoë",
            "email": "zoe@example.org",
            "question": question,
            "attributes": { "plan": "gold", "cart": 3, "note": "<b>bold</b>" },
            "page_url": "https://shop.example/tents?id=7",
            "page_title": "Ridgeline 2 tent — Northwind",
        }),
    )
    .await;
    let sid = visitor["conversation_sid"].as_str().unwrap();
    let attributes = conversation_attributes(&stack, sid).await;
    assert_eq!(
        attributes["page"],
        json!({ "url": "https://shop.example/tents?id=7", "title": "Ridgeline 2 tent — Northwind" })
    );
    // The attributes keep the question's start; the whole question is the first message.
    let kept = attributes["visitor"]["question"].as_str().unwrap();
    assert_eq!(kept.chars().count(), 1001, "{kept}");
    assert!(kept.ends_with('…') && question.starts_with(kept.trim_end_matches('…')));
    assert_eq!(messages(&stack, sid).await[0]["body"], question);

    let list = desk_list(&stack).await;
    let entry = &list[0];
    assert_eq!(entry["sid"], sid);
    assert_eq!(
        (entry["visitor"].as_str(), entry["email"].as_str()),
        (Some("Zoë"), Some("zoe@example.org"))
    );
    assert_eq!(entry["question"], kept);
    assert_eq!(entry["page"]["url"], "https://shop.example/tents?id=7");
    assert_eq!(entry["page"]["title"], "Ridgeline 2 tent — Northwind");
    assert_eq!(entry["host"], json!({ "plan": "gold", "cart": 3, "note": "<b>bold</b>" }));

    // Without a page (an older widget, or a page that is not http), nothing is made up.
    let bare = post_ok(&stack, "/api/session", json!({ "name": "Ines" })).await;
    let attributes =
        conversation_attributes(&stack, bare["conversation_sid"].as_str().unwrap()).await;
    assert!(attributes.get("page").is_none(), "{attributes}");
    assert_eq!(attributes["visitor"]["question"], Value::Null);
}

#[tokio::test]
async fn test_the_largest_session_a_visitor_may_start_fits_twilios_attribute_limit() {
    // Every field at its limit, in the characters that take the most bytes of JSON: the
    // conversation's attributes stay under Twilio's 16 KB and the conversation is created.
    let stack = TestStack::spawn().await;
    let escaped = "\u{1}".repeat(33_000 / 6);
    let host = json!({ "k": "\"".repeat(2000) });
    assert!(host.to_string().len() <= 4096);
    let visitor = post_ok(
        &stack,
        "/api/session",
        json!({
            "name": "😀".repeat(256),
            "email": format!("{}@example.org", "a".repeat(240)),
            "question": escaped,
            "locale": "x".repeat(35),
            "attributes": host,
            "page_url": format!("https://shop.example/{}", "%".repeat(2048 - 21)),
            "page_title": "😀".repeat(256),
        }),
    )
    .await;
    let sid = visitor["conversation_sid"].as_str().unwrap();
    let c = rest(&stack, reqwest::Method::GET, &format!("/v1/Conversations/{sid}"), &[]).await;
    let size = c["attributes"].as_str().unwrap().len();
    assert!(size < 16 * 1024, "{size} bytes");
}

#[tokio::test]
async fn test_the_agent_desk_resolves_a_conversation_and_has_its_own_token() {
    let stack = TestStack::spawn().await;
    let visitor = post_ok(&stack, "/api/session", json!({ "name": "Zoë" })).await;
    let sid = visitor["conversation_sid"].as_str().unwrap();
    let resolve = format!("/api/agent/resolve?conversation={sid}");
    for _ in 0..2 {
        let resolved = post_ok(&stack, &resolve, json!({})).await;
        assert_eq!(
            (resolved["sid"].as_str(), resolved["state"].as_str()),
            (Some(sid), Some("closed"))
        );
    }
    let c = rest(&stack, reqwest::Method::GET, &format!("/v1/Conversations/{sid}"), &[]).await;
    assert_eq!(c["state"], "closed");
    // The visitor's session is over: no token without asking to read the history.
    let refused =
        post(&stack, "/api/token", &json!({ "session": visitor["session"] }).to_string()).await;
    assert_eq!(refused.status(), 409);
    let list = desk_list(&stack).await;
    assert_eq!(list[0]["state"], "closed");
    for bad in ["CH..%2F", "CH00000000000000000000000000000000"] {
        let response = post(&stack, &format!("/api/agent/resolve?conversation={bad}"), "{}").await;
        assert_eq!(response.status(), 400, "{bad}");
    }

    let desk = post_ok(&stack, "/api/agent/desk", json!({})).await;
    assert_eq!(desk["identity"], "demo-agent");
    let claims = token::verify(
        desk["token"].as_str().unwrap(),
        &Credentials::development().api_secret,
        now(),
    )
    .unwrap();
    assert_eq!(claims.identity(), Some("demo-agent"));
    assert_eq!(desk["expires_at"], convo_wire::time::rfc3339(claims.exp));
    assert!(desk["twilsock_url"].as_str().unwrap().starts_with("ws://127.0.0.1:"), "{desk}");
}

/// The conversation's attributes, parsed.
#[tokio::test]
async fn test_the_agent_desk_lists_the_newest_conversations_past_the_first_page() {
    let stack = TestStack::spawn().await;
    // Twilio lists oldest first: 150 older conversations fill more than the first page.
    for i in 0..150 {
        let name = format!("older {i}");
        rest(&stack, reqwest::Method::POST, "/v1/Conversations", &[("FriendlyName", &name)]).await;
    }
    let visitor = post_ok(&stack, "/api/session", json!({ "name": "Newest" })).await;
    let list = desk_list(&stack).await;
    assert_eq!(list[0]["sid"], visitor["conversation_sid"], "the newest first: {list}");
}

async fn conversation_attributes(stack: &TestStack, sid: &str) -> Value {
    let c = rest(stack, reqwest::Method::GET, &format!("/v1/Conversations/{sid}"), &[]).await;
    serde_json::from_str(c["attributes"].as_str().unwrap()).unwrap()
}

#[tokio::test]
async fn test_the_agent_and_the_bot_are_recorded_as_staff_in_the_conversation_attributes() {
    let stack = TestStack::spawn().await;
    let visitor =
        post_ok(&stack, "/api/session", json!({ "name": "Zoë", "question": "Hello?" })).await;
    let sid = visitor["conversation_sid"].as_str().unwrap();
    // The bot records itself before it answers.
    for _ in 0..50 {
        if messages(&stack, sid).await.len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let attributes = conversation_attributes(&stack, sid).await;
    assert_eq!(attributes["staff"], json!({ "convo-bot": "bot" }), "{attributes}");

    let path = format!("/api/agent/session?conversation={sid}");
    for _ in 0..2 {
        post_ok(&stack, &path, json!({})).await;
    }
    let attributes = conversation_attributes(&stack, sid).await;
    assert_eq!(attributes["staff"], json!({ "convo-bot": "bot", "demo-agent": "agent" }));
    // Merged, not replaced: what the session wrote is still there.
    assert_eq!(attributes["source"], "convo-widget");
    assert_eq!(attributes["visitor"]["name"], "Zoë");

    // That a visitor cannot write the map for itself is the emulator's role model
    // (crates/emulator/tests/roles.rs, changing attributes is refused).
}

#[tokio::test]
async fn test_against_real_twilio_there_is_no_agent_desk() {
    let stack = TestStack::spawn_with(|config| config.mode = convo_backend::Mode::Twilio).await;
    let response =
        post(&stack, "/api/agent/session?conversation=CH00000000000000000000000000000000", "{}")
            .await;
    assert_eq!(response.status(), 404);
    let list =
        reqwest::get(format!("{}/api/agent/conversations", stack.backend.url())).await.unwrap();
    assert_eq!(list.status(), 404);
    for path in
        ["/api/agent/resolve?conversation=CH00000000000000000000000000000000", "/api/agent/desk"]
    {
        assert_eq!(post(&stack, path, "{}").await.status(), 404, "{path}");
    }
}

#[tokio::test]
async fn test_state_changing_routes_take_json_only() {
    // F9: a text/plain POST is a "simple" request any site can make its visitors send.
    let stack = TestStack::spawn().await;
    for (path, content_type) in [
        ("/api/session", Some("text/plain")),
        ("/api/session", Some("application/x-www-form-urlencoded")),
        ("/api/session", None),
        ("/api/token", Some("text/plain;charset=UTF-8")),
        ("/api/agent/session?conversation=CH00000000000000000000000000000000", Some("text/plain")),
        ("/api/agent/resolve?conversation=CH00000000000000000000000000000000", Some("text/plain")),
        ("/api/agent/desk", Some("text/plain")),
        ("/api/agent/desk", None),
    ] {
        let mut request =
            reqwest::Client::new().post(format!("{}{path}", stack.backend.url())).body("{}");
        if let Some(content_type) = content_type {
            request = request.header("Content-Type", content_type);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 415, "{path} {content_type:?}");
        let error: Value = response.json().await.unwrap();
        assert_eq!((error["status"].as_u64(), error["code"].as_u64()), (Some(415), Some(19056)));
    }
    let list = rest(&stack, reqwest::Method::GET, "/v1/Conversations", &[]).await;
    assert!(list["conversations"].as_array().unwrap().is_empty(), "nothing was created");
    // JSON with a charset parameter is JSON.
    let response = reqwest::Client::new()
        .post(format!("{}/api/session", stack.backend.url()))
        .header("Content-Type", "application/json; charset=utf-8")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn test_writes_from_origins_not_allowed_are_refused() {
    let stack =
        TestStack::spawn_with(|c| c.allowed_origins = vec!["https://shop.example".to_owned()])
            .await;
    let host = stack.backend.url().trim_start_matches("http://").to_owned();
    for (origin, expected) in [
        (Some("https://evil.example".to_owned()), 403),
        (Some("null".to_owned()), 403),
        (Some("https://shop.example".to_owned()), 200),
        (Some("http://localhost:8080".to_owned()), 200),
        // This server's own origin (a page it serves itself).
        (Some(format!("http://{host}")), 200),
        // Not a browser: no Origin at all.
        (None, 200),
    ] {
        let mut request = reqwest::Client::new()
            .post(format!("{}/api/session", stack.backend.url()))
            .header("Content-Type", "application/json")
            .body("{}");
        if let Some(origin) = &origin {
            request = request.header("Origin", origin);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), expected, "{origin:?}");
    }
    let list = rest(&stack, reqwest::Method::GET, "/v1/Conversations", &[]).await;
    assert_eq!(list["conversations"].as_array().unwrap().len(), 4, "only the allowed ones");
}

#[tokio::test]
async fn test_the_agent_desk_refuses_other_host_names() {
    // F9: a DNS-rebinding page reaches 127.0.0.1 with its own name in Host.
    let stack = TestStack::spawn().await;
    let visitor = post_ok(&stack, "/api/session", json!({})).await;
    let sid = visitor["conversation_sid"].as_str().unwrap();
    let client = reqwest::Client::new();
    let list = client
        .get(format!("{}/api/agent/conversations", stack.backend.url()))
        .header("Host", "evil.example");
    assert_eq!(list.send().await.unwrap().status(), 403);
    let join = client
        .post(format!("{}/api/agent/session?conversation={sid}", stack.backend.url()))
        .header("Host", "evil.example:8787")
        .header("Content-Type", "application/json")
        .body("{}");
    let response = join.send().await.unwrap();
    assert_eq!(response.status(), 403);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["code"], 20403);
    let participants =
        rest(&stack, reqwest::Method::GET, &format!("/v1/Conversations/{sid}/Participants"), &[])
            .await;
    assert_eq!(participants["participants"].as_array().unwrap().len(), 1, "the agent did not join");
    for path in [format!("/api/agent/resolve?conversation={sid}"), "/api/agent/desk".to_owned()] {
        let response = client
            .post(format!("{}{path}", stack.backend.url()))
            .header("Host", "evil.example")
            .header("Content-Type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{path}");
    }
    let c = rest(&stack, reqwest::Method::GET, &format!("/v1/Conversations/{sid}"), &[]).await;
    assert_eq!(c["state"], "active", "not resolved");
    let list = client
        .get(format!("{}/api/agent/conversations", stack.backend.url()))
        .header("Host", "localhost:8787");
    assert_eq!(list.send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn test_a_plus_sign_in_an_identity_signature_is_refused() {
    // F12: `+6` parsed as 0x06, so one signature had several accepted spellings.
    let stack = TestStack::spawn_with(|c| c.identity_secret = Some("host-secret".to_owned())).await;
    let identity = (0..)
        .map(|n| format!("user-{n}"))
        .find(|id| identity_signature("host-secret", id).starts_with('0'))
        .unwrap();
    let signature = identity_signature("host-secret", &identity);
    let plus = format!("+{}", &signature[1..]);
    let body = json!({ "identity": identity, "identity_signature": plus });
    assert_eq!(post(&stack, "/api/session", &body.to_string()).await.status(), 403);
    let body = json!({ "identity": identity, "identity_signature": signature });
    assert_eq!(post(&stack, "/api/session", &body.to_string()).await.status(), 200);
}

#[tokio::test]
async fn test_a_slow_loris_client_is_cut_off_at_the_header_timeout() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let stack = TestStack::spawn_with(|c| {
        c.server.header_read_timeout = Duration::from_millis(400);
    })
    .await;
    let addr = stack.backend.url().trim_start_matches("http://").to_owned();
    let started = std::time::Instant::now();
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(b"POST /api/session HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    let mut buffer = [0u8; 1024];
    // One header line every 100 ms, for at most 5 s.
    let mut n = 0;
    let took = loop {
        assert!(started.elapsed() < Duration::from_secs(5), "still open after 5 s");
        match tokio::time::timeout(Duration::from_millis(100), stream.read(&mut buffer)).await {
            Ok(Ok(0) | Err(_)) => break started.elapsed(),
            Ok(Ok(_)) => {}
            Err(_) => {
                n += 1;
                if stream.write_all(format!("X-Slow-{n}: y\r\n").as_bytes()).await.is_err() {
                    break started.elapsed();
                }
            }
        }
    };
    assert!(took >= Duration::from_millis(350), "closed early: {took:?}");
    // Normal requests are still served.
    post_ok(&stack, "/api/session", json!({})).await;
}

#[test]
fn test_the_binary_refuses_partial_twilio_credentials_and_public_emulator_addresses() {
    let run = |vars: &[(&str, &str)]| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_convo-backend"));
        for (name, _) in std::env::vars() {
            if name.starts_with("TWILIO_") || name.starts_with("CONVO_") {
                command.env_remove(name);
            }
        }
        let output = command.envs(vars.iter().copied()).output().unwrap();
        (output.status.code(), String::from_utf8_lossy(&output.stderr).into_owned())
    };
    // F3: a misspelt secret must not start the emulator with its public secret.
    let (code, stderr) = run(&[
        ("TWILIO_ACCOUNT_SID", "AC1"),
        ("TWILIO_API_KEY", "SK1"),
        ("TWILIO_AUTH_TOKEN", "t"),
        ("TWILIO_CONVERSATIONS_SERVICE_SID", "IS1"),
        ("TWILIO_API_SECERT", "x"),
    ]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("missing TWILIO_API_SECRET"), "{stderr}");
    // A public address the binary must refuse. TEST-NET-1 (RFC 5737) is no interface of this
    // machine, so even if the check regressed, nothing would listen beyond loopback.
    let (code, stderr) =
        run(&[("CONVO_LISTEN", "192.0.2.10:0"), ("CONVO_EMULATOR_LISTEN", "127.0.0.1:0")]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("CONVO_LISTEN") && stderr.contains("loopback"), "{stderr}");
}

#[tokio::test]
async fn test_custom_prechat_fields_are_judged_stored_and_listed_for_the_desk() {
    let declaration = json!([
        { "id": "plan", "label": "Plan", "type": "select", "required": true,
          "options": [{ "value": "pro", "label": "Pro" }, "Free"] },
        { "id": "phone", "label": "Phone", "type": "phone" },
        { "id": "terms", "label": "I accept the terms", "type": "consent", "required": true,
          "link": { "href": "https://shop.example/terms", "text": "Terms" } },
    ]);
    let (declared, errors) = convo_wire::prechat::parse_declaration(&declaration);
    assert!(errors.is_empty());
    let stack = TestStack::spawn_with(move |c| c.prechat_fields = declared).await;
    for (body, says) in [
        (json!({ "name": "Ana" }), "fields.plan is required"),
        (json!({ "fields": { "plan": "pro" } }), "fields.terms is required"),
        (json!({ "fields": { "plan": "pro", "terms": false } }), "fields.terms is required"),
        (
            json!({ "fields": { "plan": "gold", "terms": true } }),
            "fields.plan is not one of the options",
        ),
        (
            json!({ "fields": { "plan": "pro", "terms": true, "phone": "call me" } }),
            "fields.phone is not a telephone number",
        ),
        (json!({ "fields": { "plan": "pro", "terms": "yes" } }), "fields.terms has the wrong type"),
        (
            json!({ "fields": { "plan": "pro", "terms": true, "vip": "yes" } }),
            "fields.vip is not a declared pre-chat field",
        ),
    ] {
        let response = post(&stack, "/api/session", &body.to_string()).await;
        assert_eq!(response.status(), 400, "{body}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["message"], says, "{body}");
    }
    let list = rest(&stack, reqwest::Method::GET, "/v1/Conversations", &[]).await;
    assert!(list["conversations"].as_array().unwrap().is_empty(), "nothing was created");

    let grant = post_ok(
        &stack,
        "/api/session",
        json!({
            "name": "Ana",
            "fields": { "plan": "pro", "phone": " +33 1 23 45 67 89 ", "terms": true },
            // The backend's declaration labels what it stores, not the page.
            "field_labels": { "plan": "<b>Forged</b>" },
        }),
    )
    .await;
    let sid = grant["conversation_sid"].as_str().unwrap();
    let stored = json!([
        { "id": "plan", "label": "Plan", "value": "pro" },
        { "id": "phone", "label": "Phone", "value": "+33 1 23 45 67 89" },
        { "id": "terms", "label": "I accept the terms", "value": true },
    ]);
    assert_eq!(conversation_attributes(&stack, sid).await["fields"], stored);
    assert_eq!(desk_list(&stack).await[0]["fields"], stored);

    // Resuming needs no answers: the conversation already has them.
    let resumed = post_ok(&stack, "/api/session", json!({ "session": grant["session"] })).await;
    assert_eq!(resumed["conversation_sid"], sid);

    // A message left while support is closed: its form asks only for the email and the message,
    // so the required fields are not asked of it; answers given are still judged.
    let offline = json!({ "offline": true, "email": "ana@example.org", "question": "Call me?" });
    let left = post_ok(&stack, "/api/session", offline.clone()).await;
    let attributes =
        conversation_attributes(&stack, left["conversation_sid"].as_str().unwrap()).await;
    assert_eq!(attributes["offline"], true, "{attributes}");
    let mut wrong = offline;
    wrong["fields"] = json!({ "plan": "gold" });
    let response = post(&stack, "/api/session", &wrong.to_string()).await;
    assert_eq!(response.status(), 400);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["message"], "fields.plan is not one of the options");
}

#[tokio::test]
async fn test_without_a_declaration_custom_fields_are_kept_within_the_general_limits() {
    let stack = TestStack::spawn().await;
    let grant = post_ok(
        &stack,
        "/api/session",
        json!({
            "fields": { "plan": "pro", "terms": true, "note": "  " },
            "field_labels": { "plan": "Plan", "terms": "I accept" },
        }),
    )
    .await;
    let sid = grant["conversation_sid"].as_str().unwrap();
    assert_eq!(
        conversation_attributes(&stack, sid).await["fields"],
        json!([
            { "id": "plan", "label": "Plan", "value": "pro" },
            { "id": "terms", "label": "I accept", "value": true },
        ])
    );
    let many: serde_json::Map<String, Value> =
        (0..21).map(|i| (format!("f{i}"), json!("x"))).collect();
    for (body, says) in [
        (json!({ "fields": many }), "the limit is 20"),
        (json!({ "fields": { "Bad Id": "x" } }), "fields.Bad Id: an id is 1 to 40"),
        (json!({ "fields": { "note": "x".repeat(501) } }), "fields.note is over 500 characters"),
        (json!({ "fields": { "note": { "a": 1 } } }), "fields.note has the wrong type"),
        (json!({ "fields": "plan=pro" }), "JSON object"),
    ] {
        let response = post(&stack, "/api/session", &body.to_string()).await;
        assert_eq!(response.status(), 400, "{body}");
        let error: Value = response.json().await.unwrap();
        assert!(error["message"].as_str().unwrap().contains(says), "{error}");
    }
    // Twenty fields at their limits in the widest characters would pass Twilio's 16 KB for a
    // conversation's attributes: refused with a reason rather than failing at Twilio.
    let widest: serde_json::Map<String, Value> =
        (0..20).map(|i| (format!("f{i}"), json!("😀".repeat(500)))).collect();
    let response = post(&stack, "/api/session", &json!({ "fields": widest }).to_string()).await;
    assert_eq!(response.status(), 400);
    let error: Value = response.json().await.unwrap();
    assert!(error["message"].as_str().unwrap().contains("16384 byte"), "{error}");
}

#[tokio::test]
async fn test_an_offline_message_is_marked_offline_and_needs_an_email_and_a_message() {
    let stack = TestStack::spawn().await;
    for (body, fragment) in [
        (json!({ "offline": true, "question": "Call me back?" }), "email"),
        (json!({ "offline": true, "email": "  ", "question": "Call me back?" }), "email"),
        (json!({ "offline": true, "email": "ana@example.org" }), "question"),
        (json!({ "offline": true, "email": "ana@example.org", "question": " \n " }), "question"),
        (json!({ "offline": true, "email": "ana@", "question": "Hi" }), "email"),
        (json!({ "offline": "yes", "email": "ana@example.org", "question": "Hi" }), "boolean"),
    ] {
        let response = post(&stack, "/api/session", &body.to_string()).await;
        assert_eq!(response.status(), 400, "{body}");
        let error: Value = response.json().await.unwrap();
        assert!(error["message"].as_str().unwrap().contains(fragment), "{body}: {error}");
    }
    let list = rest(&stack, reqwest::Method::GET, "/v1/Conversations", &[]).await;
    assert!(list["conversations"].as_array().unwrap().is_empty(), "nothing was created");

    let left = post_ok(
        &stack,
        "/api/session",
        json!({ "offline": true, "name": "Ana", "email": "ana@example.org", "question": "Do you ship to Oslo?" }),
    )
    .await;
    let sid = left["conversation_sid"].as_str().unwrap();
    let attributes = conversation_attributes(&stack, sid).await;
    assert_eq!(attributes["offline"], true, "{attributes}");
    assert_eq!(attributes["visitor"]["email"], "ana@example.org");
    assert_eq!(messages(&stack, sid).await[0]["body"], "Do you ship to Oslo?");
    // A chat started as usual is not marked, and the host's attributes cannot mark one.
    let chat = post_ok(
        &stack,
        "/api/session",
        json!({ "name": "Ines", "question": "Hi", "attributes": { "offline": true } }),
    )
    .await;
    let chat_sid = chat["conversation_sid"].as_str().unwrap();
    assert!(conversation_attributes(&stack, chat_sid).await.get("offline").is_none());

    // The bot greets the chat, not the message left for an email reply.
    for _ in 0..50 {
        if messages(&stack, chat_sid).await.len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let chat_messages = messages(&stack, chat_sid).await;
    assert_eq!(chat_messages[1]["author"], "convo-bot", "{chat_messages:?}");
    let left_messages = messages(&stack, sid).await;
    assert_eq!(left_messages.len(), 1, "{left_messages:?}");
    assert_eq!(left_messages[0]["attributes"], r#"{"offline":true}"#);

    let list = desk_list(&stack).await;
    let offline: Vec<(&str, bool)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["sid"].as_str().unwrap(), c["offline"].as_bool().unwrap()))
        .collect();
    assert!(offline.contains(&(sid, true)) && offline.contains(&(chat_sid, false)), "{list}");
}

#[tokio::test]
async fn test_availability_says_whether_an_agent_is_online_or_that_it_cannot_tell() {
    // The demo desk's agent, never signed in: nobody can answer. (Online, through the desk's
    // own connection, is shown in Chromium: tests/e2e/offline.test.mjs.)
    let stack = TestStack::spawn().await;
    assert_eq!(
        post_ok(&stack, "/api/availability", json!({})).await,
        json!({ "agents_online": false })
    );
    // A user who exists but is not connected is not online either.
    rest(&stack, reqwest::Method::POST, "/v1/Users", &[("Identity", "demo-agent")]).await;
    assert_eq!(
        post_ok(&stack, "/api/availability", json!({})).await,
        json!({ "agents_online": false })
    );
    let response = post(&stack, "/api/availability", "not json").await;
    assert_eq!(response.status(), 200, "the body is ignored");

    // No agents configured (Twilio's default): the backend cannot tell, and says so.
    let unknown = TestStack::spawn_with(|c| c.agents.clear()).await;
    assert_eq!(
        post_ok(&unknown, "/api/availability", json!({})).await,
        json!({ "agents_online": null })
    );
}
