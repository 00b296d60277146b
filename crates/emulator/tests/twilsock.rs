//! The twilsock endpoint over a real websocket: init is accepted only with a valid token, and
//! a misbehaving socket is closed without disturbing anyone else.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use convo_emulator::{Emulator, EmulatorConfig};
use convo_wire::{
    message::{HttpRequest, Init, Registration, Upstream},
    token::{self, Claims},
    Credentials, Frame, Message,
};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::{tungstenite::Message as WsMessage, MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

fn token_for(identity: &str, secret: &str, issued: u64, ttl: u64) -> String {
    let c = Credentials::development();
    token::sign(
        &Claims::chat(&c.account_sid, &c.api_key, &c.chat_service_sid, identity, issued, ttl),
        secret,
    )
}

fn valid_token(identity: &str) -> String {
    token_for(identity, &Credentials::development().api_secret, now(), 3600)
}

async fn start() -> Emulator {
    Emulator::spawn(EmulatorConfig::default(), ([127, 0, 0, 1], 0).into()).await.unwrap()
}

async fn open(emulator: &Emulator) -> Ws {
    tokio_tungstenite::connect_async(emulator.twilsock_url()).await.unwrap().0
}

fn init_frame(id: &str, token: &str) -> Vec<u8> {
    Frame::new(Message::Init(Init {
        id: id.to_owned(),
        token: token.to_owned(),
        continuation_token: None,
        metadata: serde_json::json!({}),
        registrations: vec![Registration::conversations()],
        tweaks: serde_json::Value::Null,
        capabilities: vec!["client_update".to_owned()],
        extra: Default::default(),
    }))
    .encode()
}

async fn next_frame(ws: &mut Ws) -> Option<Frame> {
    loop {
        match tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("no frame within 5 s")
        {
            Some(Ok(WsMessage::Binary(bytes))) => {
                return Some(Frame::decode(&bytes).expect("server frames decode"))
            }
            Some(Ok(WsMessage::Close(_))) | None | Some(Err(_)) => return None,
            Some(Ok(_)) => {}
        }
    }
}

async fn init(ws: &mut Ws, token: &str) -> convo_wire::message::Reply {
    ws.send(WsMessage::Binary(init_frame("TMinit", token).into())).await.unwrap();
    match next_frame(ws).await {
        Some(Frame { message: Message::Reply(reply), .. }) => {
            assert_eq!(reply.id, "TMinit");
            reply
        }
        other => panic!("expected the init reply, got {other:?}"),
    }
}

#[tokio::test]
async fn test_init_with_a_valid_token_is_accepted() {
    let emulator = start().await;
    let mut ws = open(&emulator).await;
    let reply = init(&mut ws, &valid_token("alice")).await;
    assert_eq!(reply.status.code, 200);
    assert!(reply.continuation_token.is_some_and(|t| !t.is_empty()));
    assert!(!reply.capabilities.unwrap().contains(&"telemetry.v1".to_owned()));
    assert_eq!(emulator.state().connected_identities(), ["alice"]);
}

#[tokio::test]
async fn test_token_signed_with_another_secret_is_refused_with_20101() {
    let emulator = start().await;
    let mut ws = open(&emulator).await;
    let reply = init(&mut ws, &token_for("alice", "not-the-secret", now(), 3600)).await;
    assert_eq!(reply.status.code, 401);
    assert_eq!(reply.status.error_code, Some(20101));
    assert!(emulator.state().connected_identities().is_empty());
}

#[tokio::test]
async fn test_expired_token_is_refused_with_20104() {
    let emulator = start().await;
    let mut ws = open(&emulator).await;
    let reply = init(
        &mut ws,
        &token_for("alice", &Credentials::development().api_secret, now() - 7200, 3600),
    )
    .await;
    assert_eq!(reply.status.code, 401);
    assert_eq!(reply.status.error_code, Some(20104));
    assert_eq!(
        reply.status.description.as_deref(),
        Some("Access token expired or expiration date invalid")
    );
}

#[tokio::test]
async fn test_token_for_another_account_or_service_is_refused() {
    let emulator = start().await;
    let dev = Credentials::development();
    let other_account = Claims::chat(
        "AC11111111111111111111111111111111",
        &dev.api_key,
        &dev.chat_service_sid,
        "a",
        now(),
        60,
    );
    let other_service = Claims::chat(
        &dev.account_sid,
        &dev.api_key,
        "IS99999999999999999999999999999999",
        "a",
        now(),
        60,
    );
    for claims in [other_account, other_service] {
        let mut ws = open(&emulator).await;
        let reply = init(&mut ws, &token::sign(&claims, &dev.api_secret)).await;
        assert_eq!((reply.status.code, reply.status.error_code), (401, Some(20101)));
    }
}

#[tokio::test]
async fn test_requests_before_init_are_refused() {
    let emulator = start().await;
    let mut ws = open(&emulator).await;
    let request = Frame::new(Message::Upstream(Upstream {
        id: "TMreq".to_owned(),
        active_grant: "ip_messaging".to_owned(),
        payload_type: "application/json".to_owned(),
        http_request: HttpRequest {
            host: "aim.us1.twilio.com".to_owned(),
            path: "/Client/v2/Configuration".to_owned(),
            method: "GET".to_owned(),
            params: Default::default(),
            headers: Default::default(),
        },
        extra: Default::default(),
    }));
    ws.send(WsMessage::Binary(request.encode().into())).await.unwrap();
    match next_frame(&mut ws).await {
        Some(Frame { message: Message::Reply(reply), .. }) => assert_eq!(reply.status.code, 401),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn test_malformed_frames_close_only_that_socket() {
    let emulator = start().await;
    let mut good = open(&emulator).await;
    assert_eq!(init(&mut good, &valid_token("bob")).await.status.code, 200);

    let garbage: Vec<Vec<u8>> = vec![
        b"not twilsock".to_vec(),
        b"TWILSOCK V9.9 2\r\n{}\r\n".to_vec(),
        b"TWILSOCK V3.0 999\r\n{\"method\":\"init\"}".to_vec(),
        b"TWILSOCK V3.0 8\r\nnot json\r\n".to_vec(),
        b"TWILSOCK V3.0 35\r\n{\"method\":\"ping\",\"payload_size\":9}\r\nabc".to_vec(),
    ];
    for bytes in garbage {
        let mut bad = open(&emulator).await;
        bad.send(WsMessage::Binary(bytes.clone().into())).await.unwrap();
        match next_frame(&mut bad).await {
            Some(Frame { message: Message::Close(close), .. }) => {
                assert_eq!(
                    close.status.unwrap().code,
                    406,
                    "{:?}",
                    String::from_utf8_lossy(&bytes)
                );
            }
            other => panic!("expected close 406, got {other:?}"),
        }
        assert!(next_frame(&mut bad).await.is_none(), "socket closed after the 406");
    }
    // A text frame and an oversized message are refused the same way.
    let mut bad = open(&emulator).await;
    bad.send(WsMessage::Text("hello".into())).await.unwrap();
    assert!(matches!(next_frame(&mut bad).await, Some(Frame { message: Message::Close(_), .. })));
    let mut big = open(&emulator).await;
    let _ = big.send(WsMessage::Binary(vec![b'x'; 300 * 1024].into())).await;
    assert!(!matches!(next_frame(&mut big).await, Some(Frame { message: Message::Reply(_), .. })));

    // The well-behaved client is still connected and served.
    good.send(WsMessage::Binary(init_frame("TMagain", "x").into())).await.unwrap();
    match next_frame(&mut good).await {
        Some(Frame { message: Message::Reply(reply), .. }) => assert_eq!(reply.id, "TMagain"),
        other => panic!("good client disturbed: {other:?}"),
    }
    assert_eq!(emulator.state().connected_identities(), ["bob"]);
}

#[tokio::test]
async fn test_shutdown_closes_connections() {
    let emulator = start().await;
    let mut ws = open(&emulator).await;
    init(&mut ws, &valid_token("carol")).await;
    emulator.shutdown().await;
    assert!(next_frame(&mut ws).await.is_none());
}
