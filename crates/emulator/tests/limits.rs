//! The emulator's defences against a token holder (or any local client) exhausting it: capped
//! mutation ids, reads that create nothing, bounded conversation creation and unattached media,
//! overflow-proof indexes and paging, sandboxed media, one token check for twilsock and MCS,
//! and header-read timeouts and connection caps on the HTTP server. Loopback only, bounded.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use convo_emulator::{server::ServerLimits, Emulator, EmulatorConfig};
use convo_wire::{
    message::{HttpRequest, Init, Registration, Upstream},
    token::{self, Claims},
    Credentials, Frame, Message,
};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};
use tokio_tungstenite::{tungstenite::Message as WsMessage, MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

const REST_AUTH: (&str, &str) = ("AC00000000000000000000000000000000", "convo-dev-auth-token");

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

fn claims(identity: &str) -> Claims {
    let c = Credentials::development();
    Claims::chat(&c.account_sid, &c.api_key, &c.chat_service_sid, identity, now(), 3600)
}

fn sign(claims: &Claims) -> String {
    token::sign(claims, &Credentials::development().api_secret)
}

async fn start(tweak: impl FnOnce(&mut EmulatorConfig)) -> Emulator {
    let mut config = EmulatorConfig::default();
    tweak(&mut config);
    Emulator::spawn(config, ([127, 0, 0, 1], 0).into()).await.unwrap()
}

/// A twilsock session that completed `init` as `identity`.
async fn connect(emulator: &Emulator, identity: &str) -> Ws {
    let mut ws = tokio_tungstenite::connect_async(emulator.twilsock_url()).await.unwrap().0;
    let init = Frame::new(Message::Init(Init {
        id: "TMinit".to_owned(),
        token: sign(&claims(identity)),
        continuation_token: None,
        metadata: json!({}),
        registrations: vec![Registration::conversations()],
        tweaks: Value::Null,
        capabilities: vec!["client_update".to_owned()],
        extra: Default::default(),
    }));
    ws.send(WsMessage::Binary(init.encode().into())).await.unwrap();
    let reply = reply_to(&mut ws, "TMinit").await;
    assert_eq!(reply.0, 200, "init: {}", reply.1);
    ws
}

/// Waits for the reply to request `id`: (HTTP status, or twilsock status without one; body).
async fn reply_to(ws: &mut Ws, id: &str) -> (u16, Value) {
    loop {
        let next = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("a frame within 5 s");
        let Some(Ok(WsMessage::Binary(bytes))) = next else { panic!("socket ended: {next:?}") };
        let frame = Frame::decode(&bytes).unwrap();
        if let Message::Reply(reply) = frame.message {
            if reply.id == id {
                let status = reply.http_status.map_or(reply.status.code, |s| s.code);
                let body = serde_json::from_slice(&frame.payload).unwrap_or(Value::Null);
                return (status, body);
            }
        }
    }
}

/// A tunnelled client API request (the SDK's path form) with optional extra headers.
async fn request(
    ws: &mut Ws,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> (u16, Value) {
    let id = format!("TM{}", uuid::Uuid::new_v4().simple());
    let upstream = Upstream {
        id: id.clone(),
        active_grant: "ip_messaging".to_owned(),
        payload_type: "application/json".to_owned(),
        http_request: HttpRequest {
            host: "aim.us1.twilio.com".to_owned(),
            path: path.to_owned(),
            method: method.to_owned(),
            params: Default::default(),
            headers: headers.iter().map(|(k, v)| ((*k).to_owned(), json!(v))).collect(),
        },
        extra: Default::default(),
    };
    let frame = match body {
        Some(body) => Frame::with_json(Message::Upstream(upstream), &body),
        None => Frame::new(Message::Upstream(upstream)),
    };
    ws.send(WsMessage::Binary(frame.encode().into())).await.unwrap();
    reply_to(ws, &id).await
}

fn service_path(rest: &str) -> String {
    format!("/Client/v2/Services/{}/{rest}", Credentials::development().chat_service_sid)
}

async fn rest(
    emulator: &Emulator,
    method: reqwest::Method,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, Value) {
    let response = reqwest::Client::new()
        .request(method, format!("{}{path}", emulator.url()))
        .basic_auth(REST_AUTH.0, Some(REST_AUTH.1))
        .form(form)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn test_a_60_kb_mutation_id_is_refused_with_a_twilio_400() {
    let emulator = start(|_| {}).await;
    let mut ws = connect(&emulator, "alice").await;
    let huge = "m".repeat(60 * 1024);
    let (status, body) = request(
        &mut ws,
        "POST",
        &service_path("Users/alice"),
        &[("X-Twilio-Mutation-Id", &huge)],
        Some(json!({ "friendly_name": "Alice" })),
    )
    .await;
    assert_eq!((status, body["code"].as_u64()), (400, Some(20001)), "{body}");
    assert!(body["message"].as_str().unwrap().contains("Mutation-Id"), "{body}");
    // A normal id still works.
    let (status, _) = request(
        &mut ws,
        "POST",
        &service_path("Users/alice"),
        &[("X-Twilio-Mutation-Id", "5b0c8a3e-2c4c-4a47-9d6b-0a5f6f1f8a11")],
        Some(json!({ "friendly_name": "Alice" })),
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn test_get_of_an_unknown_user_is_404_and_creates_no_user() {
    let emulator = start(|_| {}).await;
    let mut ws = connect(&emulator, "alice").await;
    let (status, body) = request(&mut ws, "GET", &service_path("Users/ghost"), &[], None).await;
    assert_eq!((status, body["code"].as_u64()), (404, Some(20404)), "{body}");
    let (status, _) = rest(&emulator, reqwest::Method::GET, "/v1/Users/ghost", &[]).await;
    assert_eq!(status, 404, "no user was created by the read");
    // Known users are still readable.
    let (status, body) = request(&mut ws, "GET", &service_path("Users/alice"), &[], None).await;
    assert_eq!((status, body["identity"].as_str()), (200, Some("alice")));
}

#[tokio::test]
async fn test_conversations_created_over_twilsock_are_bounded_per_identity() {
    let emulator = start(|c| c.quotas.conversations_per_identity = 2).await;
    let mut alice = connect(&emulator, "alice").await;
    for _ in 0..2 {
        let (status, body) =
            request(&mut alice, "POST", &service_path("Conversations"), &[], Some(json!({}))).await;
        assert_eq!(status, 201, "{body}");
    }
    let (status, body) =
        request(&mut alice, "POST", &service_path("Conversations"), &[], Some(json!({}))).await;
    assert_eq!((status, body["code"].as_u64()), (403, Some(20403)), "{body}");
    // Another identity has its own allowance.
    let mut bob = connect(&emulator, "bob").await;
    let (status, _) =
        request(&mut bob, "POST", &service_path("Conversations"), &[], Some(json!({}))).await;
    assert_eq!(status, 201);
}

/// A conversation made through REST with `identity` in it and `messages` messages.
async fn conversation_with(emulator: &Emulator, identity: &str, messages: usize) -> String {
    let (_, c) = rest(emulator, reqwest::Method::POST, "/v1/Conversations", &[]).await;
    let sid = c["sid"].as_str().unwrap().to_owned();
    let participants = format!("/v1/Conversations/{sid}/Participants");
    let (status, _) =
        rest(emulator, reqwest::Method::POST, &participants, &[("Identity", identity)]).await;
    assert_eq!(status, 201);
    for n in 0..messages {
        let path = format!("/v1/Conversations/{sid}/Messages");
        let body = format!("m{n}");
        rest(emulator, reqwest::Method::POST, &path, &[("Author", "agent"), ("Body", &body)]).await;
    }
    sid
}

#[tokio::test]
async fn test_a_u64_max_read_horizon_is_clamped_to_the_last_message_and_nothing_panics() {
    let emulator = start(|_| {}).await;
    let sid = conversation_with(&emulator, "alice", 3).await;
    let mut ws = connect(&emulator, "alice").await;
    let path = service_path(&format!("Users/Me/Conversations/{sid}"));
    let (status, body) =
        request(&mut ws, "POST", &path, &[], Some(json!({ "last_read_message_index": u64::MAX })))
            .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["last_read_message_index"], 2, "clamped to the last index: {body}");
    // Every later read of the horizon still answers (it panicked before, forever).
    let (status, body) = request(&mut ws, "GET", &path, &[], None).await;
    assert_eq!((status, body["unread_messages_count"].as_u64()), (200, Some(0)), "{body}");
    let (status, _) =
        rest(&emulator, reqwest::Method::GET, "/v1/ParticipantConversations?Identity=alice", &[])
            .await;
    assert_eq!(status, 200);
    let rest_path = format!("/v1/Conversations/{sid}/Participants/alice");
    let max = u64::MAX.to_string();
    let (status, body) = rest(
        &emulator,
        reqwest::Method::POST,
        &rest_path,
        &[("LastReadMessageIndex", max.as_str())],
    )
    .await;
    assert_eq!((status, body["last_read_message_index"].as_u64()), (200, Some(2)), "{body}");
}

#[tokio::test]
async fn test_a_huge_page_number_is_a_twilio_400_not_a_panic() {
    let emulator = start(|_| {}).await;
    conversation_with(&emulator, "alice", 0).await;
    for path in [
        "/v1/Conversations?PageSize=1000&Page=18446744073709551615",
        "/v1/ParticipantConversations?Identity=alice&PageSize=1000&Page=18446744073709551615",
    ] {
        let (status, body) = rest(&emulator, reqwest::Method::GET, path, &[]).await;
        assert_eq!((status, body["code"].as_u64()), (400, Some(20001)), "{path}: {body}");
    }
    // The emulator is still serving.
    let (status, _) = rest(&emulator, reqwest::Method::GET, "/v1/Conversations?Page=1", &[]).await;
    assert_eq!(status, 200);
}

async fn upload(
    emulator: &Emulator,
    token: &str,
    content_type: &str,
    filename: &str,
    bytes: Vec<u8>,
) -> (u16, Value) {
    let url = format!(
        "{}/v1/Services/{}/Media?Filename={filename}",
        emulator.url(),
        Credentials::development().chat_service_sid
    );
    let response = reqwest::Client::new()
        .post(url)
        .header("X-Twilio-Token", token)
        .header("Content-Type", content_type)
        .body(bytes)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

async fn media_record(emulator: &Emulator, token: &str, media: &str) -> (u16, Value) {
    let url = format!(
        "{}/v1/Services/{}/Media/{media}",
        emulator.url(),
        Credentials::development().chat_service_sid
    );
    let response =
        reqwest::Client::new().get(url).header("X-Twilio-Token", token).send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn test_media_browsers_could_run_are_served_as_sandboxed_attachments() {
    let emulator = start(|_| {}).await;
    let token = sign(&claims("alice"));
    let html = b"<script>alert(document.domain)</script>".to_vec();
    for (content_type, filename, inline) in [
        ("text/html", "invoice.pdf", false),
        ("image/svg+xml", "logo.svg", false),
        ("application/x-msdownload", "setup.exe", false),
        ("image/png", "photo.png", true),
        ("image/JPEG", "photo.jpg", true),
    ] {
        let (status, record) =
            upload(&emulator, &token, content_type, filename, html.clone()).await;
        assert_eq!(status, 201, "{record}");
        let url = record["links"]["content_direct_temporary"].as_str().unwrap();
        let response = reqwest::get(url).await.unwrap();
        assert_eq!(response.status(), 200);
        let header =
            |name: &str| response.headers().get(name).map(|v| v.to_str().unwrap().to_owned());
        let disposition = header("content-disposition").unwrap_or_default();
        assert_eq!(header("x-content-type-options").as_deref(), Some("nosniff"));
        if inline {
            assert!(disposition.starts_with("inline"), "{content_type}: {disposition}");
            assert_eq!(header("content-security-policy"), None, "{content_type}");
        } else {
            assert!(disposition.starts_with("attachment;"), "{content_type}: {disposition}");
            assert!(disposition.contains(filename), "{disposition}");
            assert_eq!(header("content-security-policy").as_deref(), Some("sandbox"));
        }
    }
}

#[tokio::test]
async fn test_mcs_refuses_every_token_twilsock_refuses() {
    let emulator = start(|_| {}).await;
    let good = sign(&claims("alice"));
    let (status, record) = upload(&emulator, &good, "text/plain", "a.txt", b"hi".to_vec()).await;
    assert_eq!(status, 201);
    let media = record["sid"].as_str().unwrap();

    let mut other_service = claims("alice");
    other_service.grants.chat.as_mut().unwrap().service_sid =
        Some("IS11111111111111111111111111111111".to_owned());
    let mut other_issuer = claims("alice");
    other_issuer.iss = "SK11111111111111111111111111111111".to_owned();
    let mut other_subject = claims("alice");
    other_subject.sub = "AC11111111111111111111111111111111".to_owned();
    let mut no_chat_grant = claims("alice");
    no_chat_grant.grants.chat = None;
    for (what, claims) in [
        ("another service", other_service),
        ("another issuer", other_issuer),
        ("another subject", other_subject),
        ("no chat grant", no_chat_grant),
    ] {
        let token = sign(&claims);
        let (status, body) = media_record(&emulator, &token, media).await;
        assert_eq!((status, body["code"].as_u64()), (401, Some(20101)), "{what}: {body}");
        let (status, _) = upload(&emulator, &token, "text/plain", "b.txt", b"x".to_vec()).await;
        assert_eq!(status, 401, "{what}: upload");
        // Twilsock refuses the same token.
        let mut ws = tokio_tungstenite::connect_async(emulator.twilsock_url()).await.unwrap().0;
        ws.send(WsMessage::Binary(claims_init(&token).into())).await.unwrap();
        assert_eq!(reply_to(&mut ws, "TMinit").await.0, 401, "{what}: twilsock");
    }
    assert_eq!(media_record(&emulator, &good, media).await.0, 200);
}

fn claims_init(token: &str) -> Vec<u8> {
    Frame::new(Message::Init(Init {
        id: "TMinit".to_owned(),
        token: token.to_owned(),
        continuation_token: None,
        metadata: json!({}),
        registrations: vec![Registration::conversations()],
        tweaks: Value::Null,
        capabilities: vec![],
        extra: Default::default(),
    }))
    .encode()
}

#[tokio::test]
async fn test_unattached_media_expire_and_count_against_a_quota() {
    // A zero time-to-live: an upload is gone by the next one, with no waiting.
    let emulator = start(|c| c.quotas.unattached_media_ttl = Duration::ZERO).await;
    let token = sign(&claims("alice"));
    let (_, first) = upload(&emulator, &token, "text/plain", "a.txt", b"first".to_vec()).await;
    let (status, _) = upload(&emulator, &token, "text/plain", "b.txt", b"second".to_vec()).await;
    assert_eq!(status, 201);
    let (status, _) = media_record(&emulator, &token, first["sid"].as_str().unwrap()).await;
    assert_eq!(status, 404, "the unattached first upload expired");

    let emulator = start(|c| c.quotas.unattached_media_bytes = 10).await;
    let (status, _) = upload(&emulator, &token, "text/plain", "a.txt", vec![b'a'; 8]).await;
    assert_eq!(status, 201);
    let (status, body) = upload(&emulator, &token, "text/plain", "b.txt", vec![b'b'; 8]).await;
    assert_eq!((status, body["code"].as_u64()), (403, Some(20403)), "{body}");
    let bob = sign(&claims("bob"));
    let (status, _) = upload(&emulator, &bob, "text/plain", "c.txt", vec![b'c'; 8]).await;
    assert_eq!(status, 201, "the quota is per identity");
}

/// Sends a request's header lines one every 100 ms and returns how long the server took to
/// close the connection (or panics after `bound`).
pub async fn slow_loris(addr: std::net::SocketAddr, bound: Duration) -> Duration {
    let started = Instant::now();
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(b"POST /v1/Conversations HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    let mut buffer = [0u8; 1024];
    for n in 0.. {
        assert!(started.elapsed() < bound, "still open after {bound:?}");
        match tokio::time::timeout(Duration::from_millis(100), stream.read(&mut buffer)).await {
            // Closed (with or without a 408 first).
            Ok(Ok(0) | Err(_)) => return started.elapsed(),
            Ok(Ok(_)) => {}
            Err(_) => {
                if stream.write_all(format!("X-Slow-{n}: y\r\n").as_bytes()).await.is_err() {
                    return started.elapsed();
                }
            }
        }
    }
    unreachable!()
}

#[tokio::test]
async fn test_a_slow_loris_client_is_cut_off_at_the_header_timeout() {
    let emulator = start(|c| {
        c.server =
            ServerLimits { header_read_timeout: Duration::from_millis(400), ..c.server.clone() }
    })
    .await;
    let took = slow_loris(emulator.addr(), Duration::from_secs(5)).await;
    assert!(took >= Duration::from_millis(350), "closed early: {took:?}");
    // Websockets are not cut by it: a session outlives the header timeout.
    let mut ws = connect(&emulator, "alice").await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let (status, _) = request(&mut ws, "GET", &service_path("Users/alice"), &[], None).await;
    assert_eq!(status, 200);
}

/// One `GET` on `stream`, kept alive; the status line's code, or `None` if the server had
/// closed the connection.
async fn get_on(stream: &mut TcpStream, path: &str) -> Option<u16> {
    let request = format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n");
    stream.write_all(request.as_bytes()).await.ok()?;
    let mut response = Vec::new();
    let mut buffer = [0u8; 4096];
    // The whole response: headers, then a body of the Content-Length they state.
    loop {
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buffer))
            .await
            .expect("an answer within 5 s")
            .ok()?;
        if n == 0 {
            return None;
        }
        response.extend_from_slice(&buffer[..n]);
        let text = String::from_utf8_lossy(&response);
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase().strip_prefix("content-length:").map(str::to_owned)
                })
                .map_or(0, |v| v.trim().parse::<usize>().unwrap());
            if response.len() >= end + 4 + length {
                return text.split(' ').nth(1).and_then(|code| code.parse().ok());
            }
        }
    }
}

#[tokio::test]
async fn test_an_idle_keep_alive_connection_outlives_the_header_timeout_until_the_idle_timeout() {
    // A pool (Trunk's proxy, nginx, reqwest) reuses a connection after more than the header
    // timeout: closing it then races the pool's next request, which its caller sees as a 502.
    let emulator = start(|c| {
        c.server = ServerLimits {
            header_read_timeout: Duration::from_millis(300),
            idle_timeout: Duration::from_millis(1500),
            ..c.server.clone()
        }
    })
    .await;
    // Without credentials: a 401 is an answer, which is all this needs.
    let path = "/v1/Conversations";
    let mut stream = TcpStream::connect(emulator.addr()).await.unwrap();
    assert!(get_on(&mut stream, path).await.is_some(), "first request answered");
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(
        get_on(&mut stream, path).await.is_some(),
        "the same connection, idle for more than the header timeout, still serves"
    );
    // Idle past the idle timeout: the server closes it.
    let started = Instant::now();
    let mut buffer = [0u8; 16];
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buffer))
        .await
        .expect("closed within 5 s");
    assert!(matches!(read, Ok(0) | Err(_)), "closed, not answered: {read:?}");
    let idle = started.elapsed();
    assert!(
        idle >= Duration::from_millis(1300),
        "closed at the idle timeout, not before: {idle:?}"
    );
    // The header timeout still counts from a request's first byte.
    let took = slow_loris(emulator.addr(), Duration::from_secs(5)).await;
    assert!(took < Duration::from_millis(1200), "slow loris cut at the header timeout: {took:?}");
}

#[tokio::test]
async fn test_connections_over_the_per_address_cap_are_closed() {
    let emulator =
        start(|c| c.server = ServerLimits { max_connections_per_ip: 2, ..c.server.clone() }).await;
    let _held = [
        TcpStream::connect(emulator.addr()).await.unwrap(),
        TcpStream::connect(emulator.addr()).await.unwrap(),
    ];
    let mut third = TcpStream::connect(emulator.addr()).await.unwrap();
    let _ = third.write_all(b"GET /v1/Conversations HTTP/1.1\r\nHost: x\r\n\r\n").await;
    let mut buffer = [0u8; 64];
    let read = tokio::time::timeout(Duration::from_secs(5), third.read(&mut buffer))
        .await
        .expect("closed within 5 s");
    assert!(matches!(read, Ok(0) | Err(_)), "the third connection was served: {read:?}");
    drop(_held);
    // Once the others close, the address may connect again.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let (status, _) = rest(&emulator, reqwest::Method::GET, "/v1/Conversations", &[]).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn test_an_expired_media_url_is_refused_and_a_fresh_one_works() {
    // Twilio's temporary URLs last 300 s; configurable so this needs no five-minute wait.
    let emulator = start(|c| c.media_url_ttl = Duration::from_millis(300)).await;
    let token = sign(&claims("alice"));
    let (status, record) = upload(&emulator, &token, "image/png", "a.png", b"png".to_vec()).await;
    assert_eq!(status, 201, "{record}");
    let media = record["sid"].as_str().unwrap().to_owned();
    let first = record["links"]["content_direct_temporary"].as_str().unwrap().to_owned();
    let response = reqwest::get(&first).await.unwrap();
    assert_eq!(response.status(), 200);
    let cache = response.headers()["cache-control"].to_str().unwrap().to_owned();
    let max_age: u64 = cache.strip_prefix("private, max-age=").unwrap().parse().unwrap();
    assert!(max_age <= 1, "kept no longer than the URL lasts (a whole second at most): {cache}");
    assert_eq!(response.bytes().await.unwrap().as_ref(), b"png");

    // It lasts until the whole second it states.
    let end = stated_end(&first);
    tokio::time::sleep(Duration::from_millis((end + 100).saturating_sub(unix_millis()))).await;
    let response = reqwest::get(&first).await.unwrap();
    assert_eq!(response.status(), 403, "an expired URL is refused, as Twilio does");
    let body: Value = response.json().await.unwrap();
    assert_eq!((body["status"].as_u64(), body["code"].as_u64()), (Some(403), Some(20403)));

    let (status, fresh) = media_record(&emulator, &token, &media).await;
    assert_eq!(status, 200, "{fresh}");
    let second = fresh["links"]["content_direct_temporary"].as_str().unwrap();
    assert_ne!(second, first, "a fresh URL, not the expired one revived");
    let response = reqwest::get(second).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.bytes().await.unwrap().as_ref(), b"png");
    assert_eq!(reqwest::get(&first).await.unwrap().status(), 403, "the old one stays dead");
}

/// The `Expires` a temporary URL states, in Unix milliseconds.
fn stated_end(url: &str) -> u64 {
    let query = url.split_once('?').expect("a query").1;
    let expires = query.split('&').find_map(|p| p.strip_prefix("Expires=")).expect("Expires");
    expires.parse::<u64>().expect("Unix seconds") * 1000
}

fn unix_millis() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as u64
}

#[tokio::test]
async fn test_a_media_url_states_its_end_and_lasts_no_longer_than_it_says() {
    // Clients learn a URL's life from its `Expires`, as from Twilio's signed URLs; fetching the
    // record again extends the token, yet the URL handed out earlier still ends when it said.
    let emulator = start(|c| c.media_url_ttl = Duration::from_secs(3)).await;
    let token = sign(&claims("alice"));
    let before = unix_millis();
    let (status, record) = upload(&emulator, &token, "image/png", "a.png", b"png".to_vec()).await;
    assert_eq!(status, 201, "{record}");
    let media = record["sid"].as_str().unwrap().to_owned();
    let first = record["links"]["content_direct_temporary"].as_str().unwrap().to_owned();
    let first_end = stated_end(&first);
    assert!(
        first_end >= before + 3_000 && first_end <= unix_millis() + 4_000,
        "Expires is the end of the 3 s life, rounded up to a whole second: {first}"
    );

    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let (_, again) = media_record(&emulator, &token, &media).await;
    let second = again["links"]["content_direct_temporary"].as_str().unwrap().to_owned();
    assert!(stated_end(&second) > first_end, "the new URL states a later end: {second}");

    let wait = (first_end + 100).saturating_sub(unix_millis());
    tokio::time::sleep(Duration::from_millis(wait)).await;
    assert_eq!(reqwest::get(&first).await.unwrap().status(), 403, "the first URL has ended");
    let response = reqwest::get(&second).await.unwrap();
    assert_eq!(response.status(), 200, "the second one has not");
    assert_eq!(response.bytes().await.unwrap().as_ref(), b"png");
}
