//! The twilsock websocket: one task per connection decodes binary frames, authenticates
//! `init`, answers requests and acknowledges nothing it does not understand.
//!
//! A malformed frame, a text frame or an oversized message ends that connection only (with a
//! twilsock `close` 406, "cannot parse client protocol", as Twilio documents); other clients
//! never notice.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::{
    extract::{
        ws::{Message as WsMessage, WebSocket},
        State, WebSocketUpgrade,
    },
    response::Response,
};
use convo_wire::{
    message::{Close, Reply, Upstream},
    token, Frame, Message, Status, TwilioError,
};
use futures_util::{SinkExt, StreamExt};
use tokio::sync::mpsc;

use crate::{
    state::{AppState, Outbound},
    EmulatorError,
};

/// How long a refused client gets to send its own `close` before we drop the socket.
const REFUSED_GRACE: Duration = Duration::from_secs(5);

pub(crate) async fn upgrade(ws: WebSocketUpgrade, State(state): State<AppState>) -> Response {
    let max = state.config().max_frame_bytes;
    ws.max_message_size(max).max_frame_size(max).on_upgrade(move |socket| session(socket, state))
}

/// Where a connection is in its life.
#[derive(Debug, Clone, PartialEq)]
enum Phase {
    /// Waiting for `init`.
    New,
    /// `init` accepted for this identity.
    Ready { identity: String },
    /// `init` or `update` refused; waiting for the client to close.
    Refused,
}

async fn session(socket: WebSocket, state: AppState) {
    let (mut sink, mut stream) = socket.split();
    let (outbound_tx, mut outbound) = mpsc::unbounded_channel();
    let connection = state.register(outbound_tx);
    let mut phase = Phase::New;
    // Until `init` succeeds the connection lives on a deadline: the init timeout, then the
    // grace a refused client gets to close by itself.
    let mut deadline = Some(Box::pin(tokio::time::sleep(state.config().init_timeout)));

    loop {
        let actions = tokio::select! {
            incoming = stream.next() => match incoming {
                Some(Ok(WsMessage::Binary(bytes))) => handle_bytes(&state, connection, &mut phase, &bytes),
                Some(Ok(WsMessage::Text(_))) => protocol_error("text frames are not twilsock"),
                Some(Ok(WsMessage::Ping(_) | WsMessage::Pong(_))) => Vec::new(),
                Some(Ok(WsMessage::Close(_))) | None => break,
                Some(Err(e)) => {
                    // Includes messages over `max_frame_bytes`.
                    tracing::debug!(connection, "websocket error: {e}");
                    protocol_error("unreadable websocket message")
                }
            },
            command = outbound.recv() => match command {
                Some(Outbound::Close) | None => break,
            },
            () = async {
                match deadline.as_mut() {
                    Some(sleep) => sleep.await,
                    None => std::future::pending().await,
                }
            } => {
                tracing::debug!(connection, ?phase, "connection deadline passed");
                break;
            }
        };
        if matches!(phase, Phase::Ready { .. }) {
            deadline = None;
        }
        let mut close = false;
        for action in actions {
            match action {
                Action::Send(bytes) => {
                    if sink.send(WsMessage::Binary(bytes.into())).await.is_err() {
                        close = true;
                    }
                }
                Action::Close => close = true,
                Action::CloseAfterGrace => {
                    deadline = Some(Box::pin(tokio::time::sleep(REFUSED_GRACE)));
                }
            }
        }
        if close {
            break;
        }
    }
    let _ = sink.close().await;
    state.unregister(connection);
}

#[derive(Debug)]
enum Action {
    /// An encoded frame to send.
    Send(Vec<u8>),
    Close,
    CloseAfterGrace,
}

impl Action {
    fn send(frame: Frame) -> Self {
        Action::Send(frame.encode())
    }
}

fn protocol_error(description: &str) -> Vec<Action> {
    let status = Status::new(406, "Not Acceptable").with_error(20001, description);
    let close = Close { id: new_id(), status: Some(status), extra: Default::default() };
    vec![Action::send(Frame::new(Message::Close(close))), Action::Close]
}

fn handle_bytes(state: &AppState, connection: u64, phase: &mut Phase, bytes: &[u8]) -> Vec<Action> {
    let frame = match Frame::decode(bytes) {
        Ok(frame) => frame,
        Err(e) => {
            tracing::debug!(connection, "malformed frame: {e}");
            return protocol_error(&e.to_string());
        }
    };
    match (frame.message, &*phase) {
        (Message::Init(init), Phase::New) => match verify(state, &init.token) {
            Ok(identity) => {
                state.set_identity(connection, &identity);
                *phase = Phase::Ready { identity };
                let mut reply = Reply::new(init.id, Status::ok());
                reply.continuation_token = Some(format!("ct-{}", uuid::Uuid::new_v4().simple()));
                // `telemetry.v1` is left out on purpose: confirming it makes the SDK send
                // telemetry frames we would only discard.
                reply.capabilities =
                    Some(vec!["client_update".to_owned(), "offline_storage".to_owned()]);
                reply.extra.insert(
                    "continuation_token_status".to_owned(),
                    serde_json::json!({"reissued": true, "reissue_message": "new session"}),
                );
                vec![Action::send(Frame::new(Message::Reply(reply)))]
            }
            Err(error) => {
                *phase = Phase::Refused;
                vec![Action::send(refusal(init.id, &error)), Action::CloseAfterGrace]
            }
        },
        (Message::Update(update), Phase::Ready { identity }) => {
            match verify(state, &update.token) {
                Ok(new_identity) if &new_identity == identity => {
                    vec![Action::send(Frame::new(Message::Reply(Reply::new(
                        update.id,
                        Status::ok(),
                    ))))]
                }
                Ok(_) => {
                    *phase = Phase::Refused;
                    let error =
                        TwilioError::new(401, 20101, "Token identity does not match the session");
                    vec![Action::send(refusal(update.id, &error)), Action::CloseAfterGrace]
                }
                Err(error) => {
                    *phase = Phase::Refused;
                    vec![Action::send(refusal(update.id, &error)), Action::CloseAfterGrace]
                }
            }
        }
        (Message::Upstream(request), Phase::Ready { .. }) => vec![Action::send(route(request))],
        (Message::Upstream(request), _) => {
            let status = Status::new(401, "Unauthorized").with_error(20101, "init first");
            vec![Action::send(Frame::new(Message::Reply(Reply::new(request.id, status))))]
        }
        (Message::Init(init), _) => {
            let status = Status::new(400, "Bad Request").with_error(20001, "already initialised");
            vec![Action::send(Frame::new(Message::Reply(Reply::new(init.id, status))))]
        }
        (Message::Close(_), _) => vec![Action::Close],
        // Client acks, telemetry and anything else: nothing to answer.
        (Message::Reply(_), _) | (Message::Other { .. }, _) => Vec::new(),
        (message, _) => match message.id() {
            // Requests we do not serve (`ping` from a client, notification contexts) still
            // get a reply, so the client never waits out its 30 s request timeout.
            Some(id) => {
                vec![Action::send(Frame::new(Message::Reply(Reply::new(id, Status::ok()))))]
            }
            None => Vec::new(),
        },
    }
}

fn verify(state: &AppState, token: &str) -> Result<String, TwilioError> {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
    let credentials = &state.config().credentials;
    let claims = token::verify(token, &credentials.api_secret, now)
        .map_err(|e| TwilioError::new(401, e.twilio_code(), capitalise(&e.to_string())))?;
    let service_ok = claims
        .grants
        .chat
        .as_ref()
        .and_then(|chat| chat.service_sid.as_deref())
        .is_some_and(|sid| sid == credentials.chat_service_sid);
    match claims.identity() {
        _ if claims.iss != credentials.api_key || claims.sub != credentials.account_sid => {
            Err(TwilioError::new(401, 20101, "Access Token issuer or subject is not this account"))
        }
        _ if !service_ok => {
            Err(TwilioError::new(401, 20101, "Access Token has no chat grant for this service"))
        }
        Some(identity) if !identity.is_empty() => Ok(identity.to_owned()),
        _ => Err(TwilioError::new(401, 20101, "Access Token has no identity")),
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn refusal(id: String, error: &TwilioError) -> Frame {
    let status =
        Status::new(error.status, "Unauthorized").with_error(error.code, error.message.clone());
    Frame::new(Message::Reply(Reply::new(id, status)))
}

/// Tunnelled HTTP. Routes land here as the emulator grows; until then every path is a
/// Twilio-shaped 404, so a client sees a clean upstream error rather than a timeout.
fn route(request: Upstream) -> Frame {
    let error = EmulatorError::refused(
        404,
        20404,
        format!("The requested resource {} was not found", request.http_request.path),
    );
    http_reply(request.id, error.to_twilio().status, &error.to_twilio())
}

fn http_reply<T: serde::Serialize>(id: String, http_code: u16, body: &T) -> Frame {
    let mut reply = Reply::new(id, Status::ok());
    reply.http_status = Some(convo_wire::message::HttpStatus {
        code: http_code,
        status: reason_phrase(http_code).to_owned(),
    });
    let mut headers = serde_json::Map::new();
    headers.insert("Content-Type".to_owned(), "application/json".into());
    reply.http_headers = Some(headers);
    reply.payload_type = Some("application/json".to_owned());
    Frame::with_json(Message::Reply(reply), body)
}

fn reason_phrase(code: u16) -> &'static str {
    match code {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        _ => "Error",
    }
}

fn new_id() -> String {
    format!("TM{}", uuid::Uuid::new_v4())
}
