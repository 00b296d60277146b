//! The twilsock websocket: one task per connection decodes binary frames, authenticates
//! `init`, routes tunnelled requests, relays pushes, pings, and ends the session when the
//! token expires.
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
    message::{ClientUpdate, Close, HttpStatus, Ping, Reply, Upstream},
    Frame, Message, Status, TwilioError,
};
use futures_util::{SinkExt, StreamExt};
use tokio::{sync::mpsc, time::Instant};

use crate::{aim, cds, routing::Request, state::AppState, webhooks::Source, world::Outbound};

/// How long a refused client gets to send its own `close` before we drop the socket.
const REFUSED_GRACE: Duration = Duration::from_secs(5);
/// A connection that answers nothing for this many ping intervals is considered dead.
const MISSED_PINGS: u32 = 3;

pub(crate) async fn upgrade(ws: WebSocketUpgrade, State(state): State<AppState>) -> Response {
    let max = state.config().max_frame_bytes;
    // tungstenite zero-fills its whole read buffer on every read: at the 128 KiB default that
    // was most of an idle connection's memory (152 KB each, 745 MB for 5,000) and a 128 KiB
    // memset per client ack. Frames are small; a bigger one still reads in several chunks.
    ws.read_buffer_size(4 * 1024)
        .max_message_size(max)
        .max_frame_size(max)
        .on_upgrade(move |socket| session(socket, state))
}

/// Where a connection is in its life.
#[derive(Debug, Clone, PartialEq)]
enum Phase {
    /// Waiting for `init`.
    New,
    /// `init` accepted for this identity; the token expires at `expires` (Unix seconds).
    Ready { identity: String, expires: u64 },
    /// `init` or `update` refused; waiting for the client to close.
    Refused,
}

/// What handling one inbound frame asks the session to do.
#[derive(Debug)]
enum Action {
    /// Send an encoded frame.
    Send(Vec<u8>),
    /// Close the socket.
    Close,
    /// Give the client a grace period to close by itself.
    CloseAfterGrace,
}

impl Action {
    fn send(frame: Frame) -> Self {
        Action::Send(frame.encode())
    }
}

/// The session's timers, re-armed as its phase changes.
struct Timers {
    /// Init timeout, or the refused client's grace period.
    deadline: Option<Instant>,
    /// When to send `token_about_to_expire`.
    warn_at: Option<Instant>,
    /// When the token expires (close 410).
    expire_at: Option<Instant>,
    next_ping: Instant,
    last_heard: Instant,
}

impl Timers {
    fn arm_token(&mut self, expires: u64, warning: Duration) {
        let remaining = Duration::from_secs(expires.saturating_sub(unix_now()));
        let now = Instant::now();
        self.expire_at = Some(now + remaining);
        self.warn_at = Some(now + remaining.saturating_sub(warning));
    }

    fn next(&self) -> Instant {
        [self.deadline, self.warn_at, self.expire_at, Some(self.next_ping)]
            .into_iter()
            .flatten()
            .min()
            .expect("ping is always set")
    }
}

async fn session(socket: WebSocket, state: AppState) {
    let (mut sink, mut stream) = socket.split();
    let (outbound_tx, mut outbound) = mpsc::unbounded_channel();
    let connection = state.world().register_connection(outbound_tx.clone());
    let config = state.config().clone();
    let mut phase = Phase::New;
    let now = Instant::now();
    let mut timers = Timers {
        deadline: Some(now + config.init_timeout),
        warn_at: None,
        expire_at: None,
        next_ping: now + config.ping_interval,
        last_heard: now,
    };

    loop {
        let actions = tokio::select! {
            incoming = stream.next() => {
                timers.last_heard = Instant::now();
                match incoming {
                    Some(Ok(WsMessage::Binary(bytes))) => {
                        handle_bytes(&state, connection, &mut phase, &mut timers, &bytes, &outbound_tx)
                    }
                    Some(Ok(WsMessage::Text(_))) => protocol_error("text frames are not twilsock"),
                    Some(Ok(WsMessage::Ping(_) | WsMessage::Pong(_))) => Vec::new(),
                    Some(Ok(WsMessage::Close(_))) | None => break,
                    Some(Err(e)) => {
                        // Includes messages over `max_frame_bytes`.
                        tracing::debug!(connection, "websocket error: {e}");
                        protocol_error("unreadable websocket message")
                    }
                }
            }
            command = outbound.recv() => match command {
                Some(Outbound::Frame(bytes)) => {
                    if sink.send(WsMessage::Binary(bytes)).await.is_err() {
                        break;
                    }
                    continue;
                }
                Some(Outbound::Close(status)) => match status {
                    Some(status) => vec![Action::send(close_frame(status)), Action::Close],
                    None => vec![Action::Close],
                },
                None => break,
            },
            () = tokio::time::sleep_until(timers.next()) => on_timer(&config, &phase, &mut timers),
        };
        if matches!(phase, Phase::Ready { .. }) {
            timers.deadline = None;
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
                Action::CloseAfterGrace => timers.deadline = Some(Instant::now() + REFUSED_GRACE),
            }
        }
        if close {
            break;
        }
    }
    let _ = sink.close().await;
    state.world().unregister_connection(connection);
}

fn on_timer(config: &crate::EmulatorConfig, phase: &Phase, timers: &mut Timers) -> Vec<Action> {
    let now = Instant::now();
    if timers.deadline.is_some_and(|d| d <= now) {
        tracing::debug!(?phase, "connection deadline passed");
        return vec![Action::Close];
    }
    if timers.expire_at.is_some_and(|t| t <= now) {
        let status = Status::new(410, "Gone")
            .with_error(20104, "Access Token expired or expiration date invalid");
        return vec![Action::send(close_frame(status)), Action::Close];
    }
    if timers.warn_at.is_some_and(|t| t <= now) {
        timers.warn_at = None;
        let update = ClientUpdate {
            id: new_id(),
            client_update_type: "token_about_to_expire".to_owned(),
            extra: Default::default(),
        };
        return vec![Action::send(Frame::new(Message::ClientUpdate(update)))];
    }
    if timers.next_ping <= now {
        timers.next_ping = now + config.ping_interval;
        if now.duration_since(timers.last_heard) > config.ping_interval * MISSED_PINGS {
            tracing::debug!("connection silent for {MISSED_PINGS} ping intervals: closing");
            return vec![Action::Close];
        }
        if matches!(phase, Phase::Ready { .. }) {
            let ping = Ping { id: new_id(), extra: Default::default() };
            return vec![Action::send(Frame::new(Message::Ping(ping)))];
        }
    }
    Vec::new()
}

fn protocol_error(description: &str) -> Vec<Action> {
    let status = Status::new(406, "Not Acceptable").with_error(20001, description);
    vec![Action::send(close_frame(status)), Action::Close]
}

fn close_frame(status: Status) -> Frame {
    Frame::new(Message::Close(Close {
        id: new_id(),
        status: Some(status),
        extra: Default::default(),
    }))
}

fn handle_bytes(
    state: &AppState,
    connection: u64,
    phase: &mut Phase,
    timers: &mut Timers,
    bytes: &[u8],
    outbound: &mpsc::UnboundedSender<Outbound>,
) -> Vec<Action> {
    let Frame { message, payload } = match Frame::decode(bytes) {
        Ok(frame) => frame,
        Err(e) => {
            tracing::debug!(connection, "malformed frame: {e}");
            return protocol_error(&e.to_string());
        }
    };
    let warning = state.config().token_warning;
    match (message, &*phase) {
        (Message::Init(init), Phase::New) => match verify(state, &init.token) {
            Ok((identity, expires)) => {
                state.world().authenticate_connection(connection, &identity);
                timers.arm_token(expires, warning);
                *phase = Phase::Ready { identity, expires };
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
        (Message::Update(update), Phase::Ready { identity, .. }) => {
            let identity = identity.clone();
            match verify(state, &update.token) {
                Ok((new_identity, expires)) if new_identity == identity => {
                    timers.arm_token(expires, warning);
                    *phase = Phase::Ready { identity, expires };
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
        (Message::Upstream(request), Phase::Ready { identity, .. }) => {
            let reply = route(state, connection, identity, &request, &payload);
            match state.take_reply_delay(identity) {
                None => vec![Action::send(reply)],
                // A scripted fault: the command is applied, its reply is late or lost.
                Some(None) => Vec::new(),
                Some(Some(delay)) => {
                    let outbound = outbound.clone();
                    tokio::spawn(async move {
                        tokio::time::sleep(delay).await;
                        let _ = outbound.send(Outbound::Frame(reply.encode().into()));
                    });
                    Vec::new()
                }
            }
        }
        (Message::Upstream(request), _) => {
            let status = Status::new(401, "Unauthorized").with_error(20101, "init first");
            vec![Action::send(Frame::new(Message::Reply(Reply::new(request.id, status))))]
        }
        (Message::Init(init), _) => {
            let status = Status::new(400, "Bad Request").with_error(20001, "already initialised");
            vec![Action::send(Frame::new(Message::Reply(Reply::new(init.id, status))))]
        }
        (Message::Close(_), _) => vec![Action::Close],
        // Client acks, telemetry and anything else without a request id: nothing to answer.
        (Message::Reply(_), _) | (Message::Other { .. }, _) => Vec::new(),
        (message, _) => match message.id() {
            // Requests we do not serve (a client `ping`, notification contexts) still get a
            // reply, so the client never waits out its 30 s request timeout.
            Some(id) => {
                vec![Action::send(Frame::new(Message::Reply(Reply::new(id, Status::ok()))))]
            }
            None => Vec::new(),
        },
    }
}

/// Verifies a token for this emulator's account and service: `(identity, exp)`.
fn verify(state: &AppState, token: &str) -> Result<(String, u64), TwilioError> {
    crate::auth::verify_token(&state.config().credentials, token, unix_now())
}

/// Runs a tunnelled request against the world and wraps the outcome in a `reply`.
fn route(
    state: &AppState,
    connection: u64,
    identity: &str,
    upstream: &Upstream,
    payload: &[u8],
) -> Frame {
    let outcome = Request::from_upstream(upstream, payload, identity).and_then(|request| {
        let mut world = state.world();
        let outcome = if matches!(request.segments.first().map(String::as_str), Some("v3" | "v4")) {
            cds::handle(&mut world, connection, &request)
        } else {
            aim::handle(&mut world, &request)
        };
        // SDK actions always fire post-event webhooks.
        world.flush_webhooks(Some(&Source::Sdk(identity.to_owned())));
        outcome
    });
    let (code, body) = match outcome {
        Ok(response) => (response.status, response.body),
        Err(error) => (error.status, serde_json::to_value(&error).unwrap_or_default()),
    };
    let mut reply = Reply::new(upstream.id.clone(), Status::ok());
    reply.http_status = Some(HttpStatus { code, status: reason_phrase(code).to_owned() });
    let mut headers = serde_json::Map::new();
    headers.insert("Content-Type".to_owned(), "application/json".into());
    reply.http_headers = Some(headers);
    reply.payload_type = Some("application/json".to_owned());
    Frame::with_json(Message::Reply(reply), &body)
}

fn refusal(id: String, error: &TwilioError) -> Frame {
    let status =
        Status::new(error.status, "Unauthorized").with_error(error.code, error.message.clone());
    Frame::new(Message::Reply(Reply::new(id, status)))
}

pub(crate) fn reason_phrase(code: u16) -> &'static str {
    match code {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
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

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default()
}
