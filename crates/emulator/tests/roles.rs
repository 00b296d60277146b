//! Roles over raw twilsock, where the official SDK cannot express the attack: a token holder
//! joining a stranger's conversation by SID (security review F1), and a visitor managing the
//! conversation it was put in (F2). The backend's part is played through REST, as it does it.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use convo_emulator::{Emulator, EmulatorConfig};
use convo_wire::{
    message::{HttpRequest, Init, Registration, Upstream},
    token::{self, Claims},
    Credentials, Frame, Message,
};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::{tungstenite::Message as WsMessage, MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Twilio's "User not authorized for command" (<https://www.twilio.com/docs/api/errors/50107>).
const NOT_AUTHORIZED: u64 = 50107;

struct Fixture {
    emulator: Emulator,
    http: reqwest::Client,
    dev: Credentials,
}

impl Fixture {
    async fn start() -> Fixture {
        let emulator =
            Emulator::spawn(EmulatorConfig::default(), ([127, 0, 0, 1], 0).into()).await.unwrap();
        Fixture { emulator, http: reqwest::Client::new(), dev: Credentials::development() }
    }

    /// A REST call as the backend makes it (Basic auth, form body). Returns (status, body).
    async fn rest(&self, method: &str, path: &str, form: &[(&str, &str)]) -> (u16, Value) {
        let url =
            format!("{}/v1/Services/{}/{path}", self.emulator.url(), self.dev.chat_service_sid);
        let response = self
            .http
            .request(method.parse().unwrap(), url)
            .basic_auth(&self.dev.account_sid, Some(&self.dev.auth_token))
            .form(form)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn rest_ok(&self, method: &str, path: &str, form: &[(&str, &str)]) -> Value {
        let (status, body) = self.rest(method, path, form).await;
        assert!((200..300).contains(&status), "{method} {path} → {status} {body}");
        body
    }

    /// A conversation made by the backend with these chat participants.
    async fn conversation(&self, participants: &[&str]) -> String {
        let created = self
            .rest_ok("POST", "Conversations", &[("Attributes", r#"{"visitor":{"name":"Ann"}}"#)])
            .await;
        let sid = created["sid"].as_str().unwrap().to_owned();
        for identity in participants {
            self.rest_ok(
                "POST",
                &format!("Conversations/{sid}/Participants"),
                &[("Identity", identity)],
            )
            .await;
        }
        sid
    }

    async fn user(&self, identity: &str) -> User {
        let c = &self.dev;
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
        let claims =
            Claims::chat(&c.account_sid, &c.api_key, &c.chat_service_sid, identity, now, 3600);
        let mut ws =
            tokio_tungstenite::connect_async(self.emulator.twilsock_url()).await.unwrap().0;
        let init = Frame::new(Message::Init(Init {
            id: "TMinit".to_owned(),
            token: token::sign(&claims, &c.api_secret),
            continuation_token: None,
            metadata: json!({}),
            registrations: vec![Registration::conversations()],
            tweaks: Value::Null,
            capabilities: vec!["client_update".to_owned()],
            extra: Default::default(),
        }));
        ws.send(WsMessage::Binary(init.encode().into())).await.unwrap();
        let mut user =
            User { ws, next: 0, aim: format!("/Client/v2/Services/{}", c.chat_service_sid) };
        let reply = user.reply("TMinit").await;
        assert_eq!(reply.0, 200, "init");
        user
    }
}

struct User {
    ws: Ws,
    next: u32,
    /// The client API's service path.
    aim: String,
}

impl User {
    /// A tunnelled request; `path` under the service for the client API, or `/v3…` for Sync.
    /// Returns (HTTP status, body).
    async fn call(&mut self, method: &str, path: &str, body: Value) -> (u16, Value) {
        self.next += 1;
        let id = format!("TMreq{}", self.next);
        let (host, path) = if path.starts_with("/v3") {
            ("cds.us1.twilio.com", path.to_owned())
        } else {
            ("aim.us1.twilio.com", format!("{}{path}", self.aim))
        };
        let frame = Frame::with_json(
            Message::Upstream(Upstream {
                id: id.clone(),
                active_grant: "ip_messaging".to_owned(),
                payload_type: "application/json".to_owned(),
                http_request: HttpRequest {
                    host: host.to_owned(),
                    path,
                    method: method.to_owned(),
                    params: Default::default(),
                    headers: Default::default(),
                },
                extra: Default::default(),
            }),
            &body,
        );
        self.ws.send(WsMessage::Binary(frame.encode().into())).await.unwrap();
        self.reply(&id).await
    }

    async fn ok(&mut self, method: &str, path: &str, body: Value) -> Value {
        let (status, reply) = self.call(method, path, body).await;
        assert!((200..300).contains(&status), "{method} {path} → {status} {reply}");
        reply
    }

    /// The reply to request `id` as (HTTP status, or the twilsock status for `init`; body).
    /// Notifications and pings on the way are skipped.
    async fn reply(&mut self, id: &str) -> (u16, Value) {
        loop {
            let message = tokio::time::timeout(Duration::from_secs(5), self.ws.next())
                .await
                .expect("no reply within 5 s")
                .expect("socket closed")
                .unwrap();
            let WsMessage::Binary(bytes) = message else { continue };
            let frame = Frame::decode(&bytes).unwrap();
            if let Message::Reply(reply) = &frame.message {
                if reply.id == id {
                    let status = reply.http_status.as_ref().map_or(reply.status.code, |h| h.code);
                    let body = serde_json::from_slice(&frame.payload).unwrap_or(Value::Null);
                    return (status, body);
                }
            }
        }
    }
}

/// A Twilio-shaped refusal with `status` and, when given, `code`.
fn assert_refused((status, body): (u16, Value), expected: u16, code: Option<u64>, what: &str) {
    assert_eq!(status, expected, "{what}: {body}");
    assert_eq!(body["status"], expected, "{what}: {body}");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{what}: {body}");
    assert!(
        body["more_info"].as_str().is_some_and(|u| u.starts_with("https://")),
        "{what}: {body}"
    );
    match code {
        Some(code) => assert_eq!(body["code"], code, "{what}: {body}"),
        None => assert!(body["code"].as_u64().is_some(), "{what}: {body}"),
    }
}

#[tokio::test]
async fn test_f1_a_token_holder_cannot_join_a_strangers_conversation_by_sid() {
    let fx = Fixture::start().await;
    let sid = fx.conversation(&["visitor-a"]).await;
    let mut a = fx.user("visitor-a").await;
    a.ok(
        "POST",
        &format!("/Conversations/{sid}/Messages"),
        json!({ "body": "alice secret question" }),
    )
    .await;
    let list = a.ok("GET", &format!("/Conversations/{sid}"), json!({})).await["sync_objects"]
        ["messages"]
        .as_str()
        .unwrap()
        .to_owned();

    let mut b = fx.user("visitor-b").await;
    let join = b
        .call(
            "POST",
            &format!("/Conversations/{sid}/Participants"),
            json!({ "identity": "visitor-b" }),
        )
        .await;
    assert_refused(join, 403, None, "self-join by SID");

    // Still outside: the messages stay unreadable and the roster unchanged.
    let read = b.call("GET", &format!("/v3/Lists/{list}/Items"), json!({})).await;
    assert_refused(read, 403, None, "reading the messages after the refused join");
    let fetched = b.call("GET", &format!("/Conversations/{sid}"), json!({})).await;
    assert_refused(fetched, 403, None, "fetching the conversation");
    let roster = fx.rest_ok("GET", &format!("Conversations/{sid}/Participants"), &[]).await;
    let identities: Vec<&str> = roster["participants"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["identity"].as_str())
        .collect();
    assert_eq!(identities, ["visitor-a"]);
}

#[tokio::test]
async fn test_f1_a_creator_still_joins_its_own_conversation_with_the_creator_role() {
    let fx = Fixture::start().await;
    let mut b = fx.user("bob").await;
    let created = b.ok("POST", "/Conversations", json!({ "friendly_name": "mine" })).await;
    let sid = created["sid"].as_str().unwrap();
    let joined = b
        .ok("POST", &format!("/Conversations/{sid}/Participants"), json!({ "identity": "bob" }))
        .await;
    let config = fx.rest_ok("GET", "Configuration", &[]).await;
    assert_eq!(joined["role_sid"], config["default_conversation_creator_role_sid"]);
    // The creator role may manage its conversation.
    b.ok("POST", &format!("/Conversations/{sid}"), json!({ "friendly_name": "renamed" })).await;
}

#[tokio::test]
async fn test_f2_a_visitor_cannot_manage_the_conversation_it_was_put_in() {
    let fx = Fixture::start().await;
    let sid = fx.conversation(&["visitor-a", "demo-agent"]).await;
    let mut a = fx.user("visitor-a").await;
    let conv = format!("/Conversations/{sid}");

    let attempts = [
        ("DELETE", format!("{conv}/Participants/demo-agent"), json!({}), "removing the agent"),
        (
            "POST",
            format!("{conv}/Participants"),
            json!({ "identity": "someone-else" }),
            "adding someone else",
        ),
        ("POST", conv.clone(), json!({ "friendly_name": "pwned" }), "renaming"),
        (
            "POST",
            conv.clone(),
            json!({ "attributes": r#"{"visitor":{"name":"Mallory"}}"# }),
            "changing attributes",
        ),
        ("POST", conv.clone(), json!({ "state": "closed" }), "closing"),
        ("DELETE", conv.clone(), json!({}), "deleting"),
    ];
    for (method, path, body, what) in attempts {
        assert_refused(a.call(method, &path, body).await, 403, Some(NOT_AUTHORIZED), what);
    }

    // Nothing changed.
    let after = fx.rest_ok("GET", &format!("Conversations/{sid}"), &[]).await;
    assert_eq!(after["state"], "active");
    assert_eq!(after["friendly_name"], Value::Null);
    assert_eq!(after["attributes"], r#"{"visitor":{"name":"Ann"}}"#);
    let roster = fx.rest_ok("GET", &format!("Conversations/{sid}/Participants"), &[]).await;
    assert_eq!(roster["participants"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn test_f2_a_visitor_may_do_what_its_own_role_allows_and_no_more() {
    let fx = Fixture::start().await;
    let sid = fx.conversation(&["visitor-a", "demo-agent"]).await;
    let mut a = fx.user("visitor-a").await;
    let conv = format!("/Conversations/{sid}");

    let mine = a.ok("POST", &format!("{conv}/Messages"), json!({ "body": "hello" })).await;
    let mine = mine["sid"].as_str().unwrap().to_owned();
    a.ok("POST", &format!("{conv}/Messages/{mine}"), json!({ "body": "hello!" })).await;
    a.ok("POST", &format!("{conv}/Messages/{mine}"), json!({ "attributes": r#"{"x":1}"# })).await;
    a.ok(
        "POST",
        &format!("{conv}/Participants/visitor-a"),
        json!({ "attributes": r#"{"away":true}"# }),
    )
    .await;
    a.ok(
        "POST",
        &format!("/Users/Me/Conversations/{sid}"),
        json!({ "last_read_message_index": 0 }),
    )
    .await;
    a.ok("POST", "/Typing", json!({ "ChannelSid": sid })).await;

    let theirs = fx
        .rest_ok(
            "POST",
            &format!("Conversations/{sid}/Messages"),
            &[("Author", "demo-agent"), ("Body", "hi, how can I help?")],
        )
        .await;
    let theirs = theirs["sid"].as_str().unwrap();
    let path = format!("{conv}/Messages/{theirs}");
    assert_refused(
        a.call("POST", &path, json!({ "body": "edited" })).await,
        403,
        None,
        "editing the agent's message",
    );
    assert_refused(
        a.call("DELETE", &path, json!({})).await,
        403,
        None,
        "deleting the agent's message",
    );
    let agent = format!("{conv}/Participants/demo-agent");
    assert_refused(
        a.call("POST", &agent, json!({ "attributes": r#"{"role":"visitor"}"# })).await,
        403,
        None,
        "editing the agent's participant",
    );

    a.ok("DELETE", &format!("{conv}/Messages/{mine}"), json!({})).await;
    a.ok("DELETE", &format!("{conv}/Participants/visitor-a"), json!({})).await;
    let roster = fx.rest_ok("GET", &format!("Conversations/{sid}/Participants"), &[]).await;
    assert_eq!(roster["participants"][0]["identity"], "demo-agent");
}

#[tokio::test]
async fn test_a_role_given_through_rest_grants_what_the_default_lacks() {
    let fx = Fixture::start().await;
    let sid = fx.conversation(&["visitor-a"]).await;
    let role = fx
        .rest_ok(
            "POST",
            "Roles",
            &[
                ("FriendlyName", "agent"),
                ("Type", "conversation"),
                ("Permission", "sendMessage"),
                ("Permission", "editConversationAttributes"),
                ("Permission", "removeParticipant"),
            ],
        )
        .await;
    let role = role["sid"].as_str().unwrap();
    let added = fx
        .rest_ok(
            "POST",
            &format!("Conversations/{sid}/Participants"),
            &[("Identity", "demo-agent"), ("RoleSid", role)],
        )
        .await;
    assert_eq!(added["role_sid"], role);

    let mut agent = fx.user("demo-agent").await;
    let conv = format!("/Conversations/{sid}");
    agent.ok("POST", &conv, json!({ "state": "closed" })).await;
    agent.ok("DELETE", &format!("{conv}/Participants/visitor-a"), json!({})).await;
    // Only what the role grants: renaming is still refused.
    assert_refused(
        agent.call("POST", &conv, json!({ "friendly_name": "x" })).await,
        403,
        Some(NOT_AUTHORIZED),
        "renaming without editConversationName",
    );
}
