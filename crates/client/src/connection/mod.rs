//! The twilsock connection. One driver task per client fetches a token, opens the socket,
//! sends `init`, carries tunnelled requests and their replies, acknowledges server messages,
//! refreshes the token when the server says it is about to expire, and reconnects with backoff
//! when the socket is lost. Its progress is published as [`ConnectionState`]; notifications
//! and (dis)connections are sent to the engine as [`DriverEvent`]s.
//!
//! One task does all of this, so a token refresh is single-flight by construction.

pub(crate) mod backoff;
pub(crate) mod rpc;

use std::{collections::VecDeque, future::Future, pin::pin, sync::Arc, time::Duration};

use convo_wire::object;
use convo_wire::{
    json,
    message::{Close, Init, Registration, Reply, Update, Upstream},
    Frame, Message, Status,
};
use futures_channel::{mpsc, oneshot};
use futures_util::{select_biased, FutureExt, StreamExt};
use serde_json::Value;

use self::rpc::{split_url, Pending};
use crate::{
    auth::error_message,
    platform::{self, WakeSignals},
    transport::{Socket, SocketEvent},
    ClientConfig, ConnectionState, Error, Observable, Token, TokenProvider,
};

/// Capabilities this client implements (`client_update`: it understands
/// `token_about_to_expire`). It asks for no telemetry and no offline storage.
const CAPABILITIES: [&str; 1] = ["client_update"];
/// Acknowledgements held back at most, in a burst of server messages, before they go anyway.
const ACK_BATCH: usize = 32;

/// What the driver tells the engine.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum DriverEvent {
    /// `init` succeeded (first time or after a reconnect).
    Connected,
    /// The connection was lost; requests in flight have failed.
    Disconnected,
    /// A server push.
    Notification { message_type: String, payload: Value },
}

/// A tunnelled HTTP request.
#[derive(Debug, Clone)]
pub(crate) struct RpcRequest {
    pub(crate) method: &'static str,
    pub(crate) url: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) content_type: &'static str,
    pub(crate) body: Option<String>,
    /// How long to wait for the reply, counting time queued while offline.
    pub(crate) timeout: Duration,
}

/// The upstream HTTP outcome of a 2xx tunnelled request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RpcReply {
    pub(crate) status: u16,
    pub(crate) body: Value,
}

type ReplySender = oneshot::Sender<Result<RpcReply, Error>>;

enum Command {
    Request(RpcRequest, ReplySender),
    /// Stop waiting out the backoff and try now.
    Wake,
    Shutdown,
}

/// A handle to the driver. Cheap to clone.
#[derive(Debug, Clone)]
pub(crate) struct Connection {
    state: Observable<ConnectionState>,
    token: Observable<Option<String>>,
    commands: mpsc::UnboundedSender<Command>,
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Command::Request(r, _) => write!(f, "Request({} {})", r.method, r.url),
            Command::Wake => f.write_str("Wake"),
            Command::Shutdown => f.write_str("Shutdown"),
        }
    }
}

impl Connection {
    /// Starts the driver; events go to `events`.
    pub(crate) fn start(
        config: ClientConfig,
        tokens: Arc<dyn TokenProvider>,
        events: mpsc::UnboundedSender<DriverEvent>,
    ) -> Connection {
        let state = Observable::new(ConnectionState::Connecting);
        let token = Observable::new(None);
        let (commands, commands_rx) = mpsc::unbounded();
        let driver = Driver {
            config,
            tokens,
            state: state.clone(),
            token: token.clone(),
            commands: commands_rx,
            events,
            continuation: None,
            queued: VecDeque::new(),
        };
        platform::spawn(Box::pin(driver.run()));
        Connection { state, token, commands }
    }

    pub(crate) fn state(&self) -> &Observable<ConnectionState> {
        &self.state
    }

    /// The access token in use (MCS requests carry it as `X-Twilio-Token`).
    pub(crate) fn token(&self) -> Option<String> {
        self.token.get()
    }

    /// Sends a tunnelled request: the driver has it at once, not when the returned future is
    /// first polled (a message's frame need not wait for the caller's task to come round).
    /// The future is its reply; it waits for a connection if there is none, and fails with a
    /// retryable error if the connection is lost before the reply, or the timeout passes.
    pub(crate) fn request(
        &self,
        request: RpcRequest,
    ) -> impl Future<Output = Result<RpcReply, Error>> + use<> {
        let (reply, answer) = oneshot::channel();
        let sent = self.commands.unbounded_send(Command::Request(request, reply)).is_ok();
        let gone = || Error::Transport("the client was shut down".to_owned());
        async move {
            if !sent {
                return Err(gone());
            }
            answer.await.map_err(|_| gone())?
        }
    }

    /// Ends a reconnect wait at once (a "retry now" button; the browser coming back online).
    pub(crate) fn wake(&self) {
        let _ = self.commands.unbounded_send(Command::Wake);
    }

    pub(crate) fn shutdown(&self) {
        let _ = self.commands.unbounded_send(Command::Shutdown);
    }
}

struct Queued {
    request: RpcRequest,
    reply: ReplySender,
    deadline: u64,
}

/// How one connection attempt ended.
#[derive(Debug)]
enum Outcome {
    /// Try again after a backoff of at least `min_backoff`; `connected` says whether `init`
    /// had succeeded.
    Lost { connected: bool, min_backoff: Option<Duration> },
    /// Final: the token was refused.
    Denied { code: u32, reason: String },
    /// Final: the server ended the session for good.
    Terminated(String),
    /// The application shut the client down.
    Shutdown,
}

struct Driver {
    config: ClientConfig,
    tokens: Arc<dyn TokenProvider>,
    state: Observable<ConnectionState>,
    token: Observable<Option<String>>,
    commands: mpsc::UnboundedReceiver<Command>,
    events: mpsc::UnboundedSender<DriverEvent>,
    continuation: Option<String>,
    /// Requests waiting for a connection.
    queued: VecDeque<Queued>,
}

impl Driver {
    async fn run(mut self) {
        let mut wake = WakeSignals::new();
        let mut attempt = 0u32;
        loop {
            self.state.set(ConnectionState::Connecting);
            let outcome = self.attempt().await;
            let final_state = match outcome {
                Outcome::Lost { connected, min_backoff } => {
                    if connected {
                        let _ = self.events.unbounded_send(DriverEvent::Disconnected);
                    }
                    // A successful init resets the schedule, as the official SDK does.
                    attempt = if connected { 1 } else { attempt + 1 };
                    let mut retry_in = backoff::backoff_delay(
                        &self.config.backoff,
                        attempt,
                        platform::random_unit(),
                    );
                    if let Some(min) = min_backoff {
                        retry_in = retry_in.max(min);
                    }
                    self.state.set(ConnectionState::Reconnecting { attempt, retry_in });
                    let sleep = platform::sleep(retry_in).fuse();
                    let mut sleep = pin!(sleep);
                    let waited = loop {
                        let expiry = sleep_until(self.queue_deadline()).fuse();
                        let mut expiry = pin!(expiry);
                        select_biased! {
                            command = self.commands.next() => match command {
                                Some(Command::Request(request, reply)) => self.enqueue(request, reply),
                                Some(Command::Wake) => break true,
                                Some(Command::Shutdown) | None => break false,
                            },
                            _ = wake.events.next() => break true,
                            () = sleep => break true,
                            () = expiry => self.expire_queue(),
                        }
                    };
                    if waited {
                        continue;
                    }
                    ConnectionState::Disconnected
                }
                Outcome::Denied { code, reason } => ConnectionState::Denied { code, reason },
                Outcome::Terminated(reason) => ConnectionState::Terminated { reason },
                Outcome::Shutdown => ConnectionState::Disconnected,
            };
            for queued in self.queued.drain(..) {
                let _ =
                    queued.reply.send(Err(Error::Transport("the connection has ended".to_owned())));
            }
            self.state.set(final_state);
            return;
        }
    }

    fn enqueue(&mut self, request: RpcRequest, reply: ReplySender) {
        let deadline = platform::now_millis() + request.timeout.as_millis() as u64;
        self.queued.push_back(Queued { request, reply, deadline });
    }

    /// The earliest deadline of a queued request.
    fn queue_deadline(&self) -> Option<u64> {
        self.queued.iter().map(|q| q.deadline).min()
    }

    fn expire_queue(&mut self) {
        let now = platform::now_millis();
        let (expired, kept): (Vec<_>, Vec<_>) =
            self.queued.drain(..).partition(|q| q.deadline <= now);
        self.queued = kept.into();
        for q in expired {
            let _ = q.reply.send(Err(Error::Timeout("a connection")));
        }
    }

    /// Runs `future` while queueing requests that arrive meanwhile; `None` on shutdown.
    async fn serving<F: Future>(&mut self, future: F) -> Option<F::Output> {
        let future = future.fuse();
        let mut future = pin!(future);
        loop {
            let expiry = sleep_until(self.queue_deadline()).fuse();
            let mut expiry = pin!(expiry);
            select_biased! {
                output = future => return Some(output),
                command = self.commands.next() => match command {
                    Some(Command::Request(request, reply)) => self.enqueue(request, reply),
                    Some(Command::Wake) => {}
                    Some(Command::Shutdown) | None => return None,
                },
                () = expiry => self.expire_queue(),
            }
        }
    }

    async fn fetch_token(&mut self) -> Option<Result<Token, Error>> {
        let tokens = Arc::clone(&self.tokens);
        self.serving(async move { tokens.fetch().await }).await
    }

    async fn attempt(&mut self) -> Outcome {
        let token = match self.fetch_token().await {
            None => return Outcome::Shutdown,
            Some(Ok(token)) => token,
            // The host backend refusing to issue a token will not change by retrying.
            Some(Err(error)) if !error.is_retryable() => {
                let code = match &error {
                    Error::Http { status, .. } => u32::from(*status),
                    _ => 0,
                };
                return Outcome::Denied { code, reason: error.to_string() };
            }
            Some(Err(_)) => return Outcome::Lost { connected: false, min_backoff: None },
        };
        let url = match &token.twilsock_url {
            Some(url) if self.config.prefer_token_twilsock_url => url.clone(),
            _ => self.config.twilsock_url.clone(),
        };
        // A server that accepts the connection but never answers must not hang the client.
        let connect = platform::timeout(self.config.init_timeout, Socket::connect(&url));
        let (socket, mut events) = match self.serving(connect).await {
            None => return Outcome::Shutdown,
            Some(Some(Ok(pair))) => pair,
            Some(_) => return Outcome::Lost { connected: false, min_backoff: None },
        };

        let init_id = platform::new_message_id();
        let init = Init {
            id: init_id.clone(),
            token: token.token.clone(),
            continuation_token: self.continuation.clone(),
            metadata: object! { "sdk": "convo-client", "sdkv": env!("CARGO_PKG_VERSION") },
            registrations: vec![Registration::conversations()],
            tweaks: Value::Null,
            capabilities: CAPABILITIES.iter().map(|c| (*c).to_owned()).collect(),
            extra: Default::default(),
        };
        if socket.send(Frame::new(Message::Init(init)).encode()).is_err() {
            return Outcome::Lost { connected: false, min_backoff: None };
        }
        let init_timeout = self.config.init_timeout;
        let reply = self
            .serving(platform::timeout(init_timeout, async {
                loop {
                    match events.next().await {
                        Some(SocketEvent::Binary(bytes)) => match Frame::decode(&bytes) {
                            Ok(Frame { message: Message::Reply(reply), payload })
                                if reply.id == init_id =>
                            {
                                return Some((reply, payload))
                            }
                            // Nothing else is expected before the init reply; acknowledge it.
                            Ok(frame) => acknowledge(&socket, &frame.message),
                            Err(_) => {}
                        },
                        Some(SocketEvent::Closed { .. }) | None => return None,
                    }
                }
            }))
            .await;
        let (reply, payload) = match reply {
            None => return Outcome::Shutdown,
            Some(Some(Some(reply))) => reply,
            // Lost before the reply.
            Some(Some(None)) => return Outcome::Lost { connected: false, min_backoff: None },
            // No reply in time: tell the server, then retry.
            Some(None) => {
                send_close(&socket);
                return Outcome::Lost { connected: false, min_backoff: None };
            }
        };
        match reply.status.code {
            200..=299 => {}
            401 | 403 => {
                send_close(&socket);
                return Outcome::Denied {
                    code: reply.status.error_code.unwrap_or(u32::from(reply.status.code)),
                    reason: reply.status.description.unwrap_or(reply.status.status),
                };
            }
            // Throttled: the payload says how long to back off.
            429 => {
                send_close(&socket);
                let payload = json::parse(&payload).unwrap_or(Value::Null);
                return Outcome::Lost { connected: false, min_backoff: backoff_hint(&payload) };
            }
            _ => {
                send_close(&socket);
                return Outcome::Lost { connected: false, min_backoff: None };
            }
        }
        self.continuation = reply.continuation_token.or(self.continuation.take());
        self.token.set(Some(token.token));
        self.state.set(ConnectionState::Connected);
        let _ = self.events.unbounded_send(DriverEvent::Connected);
        self.connected(socket, events).await
    }

    /// The connected phase: requests out, replies and pushes in.
    async fn connected(
        &mut self,
        socket: Socket,
        mut events: mpsc::UnboundedReceiver<SocketEvent>,
    ) -> Outcome {
        let mut pending: Pending<ReplySender> = Pending::default();
        let mut update: Option<String> = None;
        let mut refresh = None;
        // Server messages are acknowledged once the tasks their frames woke have had their turn
        // (the engine applying them), later in the same browser task: a burst is acknowledged
        // together. Not from a timer: a timer's task per frame received cost about 1 ms of the
        // page's main thread per message (`scripts/bench latency`, `BENCH_PROFILE=1`).
        let mut acks: Vec<String> = Vec::new();
        let mut ack_after: Option<platform::BoxFuture<'static, ()>> = None;
        // The deadline's timer lives across turns, made again only when the deadline changes:
        // one made each turn would leave a browser timer behind per frame received, each
        // firing later as a task that does nothing.
        let mut deadline_timer: Option<(u64, platform::BoxFuture<'static, ()>)> = None;
        for queued in std::mem::take(&mut self.queued) {
            send_request(&socket, &mut pending, queued.request, queued.reply, queued.deadline);
        }
        let outcome = loop {
            if acks.is_empty() {
                ack_after = None;
            } else if ack_after.is_none() {
                ack_after = Some(Box::pin(platform::yield_now()));
            }
            let next_deadline = pending.next_deadline();
            if deadline_timer.as_ref().map(|(at, _)| *at) != next_deadline {
                deadline_timer = next_deadline.map(|at| (at, Box::pin(sleep_until(Some(at))) as _));
            }
            let timer = async {
                match deadline_timer.as_mut() {
                    Some((_, sleep)) => sleep.await,
                    None => std::future::pending().await,
                }
            }
            .fuse();
            let mut timer = pin!(timer);
            let acking = async {
                match ack_after.as_mut() {
                    Some(sleep) => sleep.await,
                    None => std::future::pending().await,
                }
            }
            .fuse();
            let mut acking = pin!(acking);
            let refreshing = async {
                match refresh.as_mut() {
                    Some(fetch) => fetch.await,
                    None => std::future::pending().await,
                }
            }
            .fuse();
            let mut refreshing = pin!(refreshing);
            select_biased! {
                event = events.next() => match event {
                    Some(SocketEvent::Binary(bytes)) => {
                        let Ok(frame) = Frame::decode(&bytes) else { continue };
                        if let Some(id) = ack_id(&frame.message) {
                            acks.push(id);
                            // A long burst is not left unacknowledged.
                            if acks.len() >= ACK_BATCH {
                                send_acks(&socket, &mut acks);
                            }
                        }
                        match frame.message {
                            Message::Reply(reply) if update.as_deref() == Some(reply.id.as_str()) => {
                                update = None;
                                if matches!(reply.status.code, 401 | 403) {
                                    send_close(&socket);
                                    break Outcome::Denied {
                                        code: reply.status.error_code.unwrap_or(20101),
                                        reason: reply.status.description.unwrap_or(reply.status.status),
                                    };
                                }
                            }
                            Message::Reply(reply) => {
                                if let Some(sender) = pending.take(&reply.id) {
                                    let _ = sender.send(upstream_result(reply, &frame.payload));
                                }
                            }
                            Message::Notification(n) => {
                                let payload = json::parse(&frame.payload).unwrap_or(Value::Null);
                                let _ = self.events.unbounded_send(DriverEvent::Notification { message_type: n.message_type, payload });
                            }
                            Message::ClientUpdate(u) if u.client_update_type == "token_about_to_expire" && refresh.is_none() => {
                                let tokens = Arc::clone(&self.tokens);
                                refresh = Some(Box::pin(async move { tokens.fetch().await }));
                            }
                            Message::Close(close) => {
                                let payload: Value = json::parse(&frame.payload).unwrap_or(Value::Null);
                                send_acks(&socket, &mut acks);
                                socket.close();
                                break closed_by_server(close.status.unwrap_or_else(|| Status::new(0, "")), &payload);
                            }
                            _ => {}
                        }
                    }
                    Some(SocketEvent::Closed { .. }) | None => break Outcome::Lost { connected: true, min_backoff: None },
                },
                command = self.commands.next() => match command {
                    Some(Command::Request(request, reply)) => {
                        let deadline = platform::now_millis() + request.timeout.as_millis() as u64;
                        send_request(&socket, &mut pending, request, reply, deadline);
                    }
                    // Connected already: nothing to wake.
                    Some(Command::Wake) => {}

                    Some(Command::Shutdown) | None => {
                        send_close(&socket);
                        socket.close();
                        break Outcome::Shutdown;
                    }
                },
                token = refreshing => {
                    refresh = None;
                    // On failure, the server's 410 at expiry makes the next connection fetch
                    // a token again.
                    if let Ok(token) = token {
                        let id = platform::new_message_id();
                        let frame = Update { id: id.clone(), token: token.token.clone(), extra: Default::default() };
                        let _ = socket.send(Frame::new(Message::Update(frame)).encode());
                        update = Some(id);
                        self.token.set(Some(token.token));
                    }
                },
                () = acking => {
                    ack_after = None;
                    send_acks(&socket, &mut acks);
                }
                () = timer => {
                    deadline_timer = None;
                    for sender in pending.expired(platform::now_millis()) {
                        let _ = sender.send(Err(Error::Timeout("a reply")));
                    }
                },
            }
        };
        // Whatever was in flight may or may not have been applied: callers retry idempotently.
        for sender in pending.drain() {
            let _ = sender
                .send(Err(Error::Transport("the connection was lost before the reply".to_owned())));
        }
        outcome
    }
}

/// Sleeps until `deadline` (Unix ms); forever without one.
async fn sleep_until(deadline: Option<u64>) {
    match deadline {
        Some(deadline) => {
            platform::sleep(Duration::from_millis(deadline.saturating_sub(platform::now_millis())))
                .await
        }
        None => std::future::pending().await,
    }
}

fn send_request(
    socket: &Socket,
    pending: &mut Pending<ReplySender>,
    request: RpcRequest,
    reply: ReplySender,
    deadline: u64,
) {
    let (host, path, params) = match split_url(&request.url) {
        Ok(parts) => parts,
        Err(e) => {
            let _ = reply.send(Err(e));
            return;
        }
    };
    let id = platform::new_message_id();
    let mut headers = serde_json::Map::new();
    headers.insert("Content-Type".to_owned(), Value::from(request.content_type));
    for (name, value) in request.headers {
        headers.insert(name, Value::from(value));
    }
    let upstream = Upstream {
        id: id.clone(),
        active_grant: convo_wire::message::PRODUCT_IP_MESSAGING.to_owned(),
        payload_type: request.content_type.to_owned(),
        http_request: convo_wire::message::HttpRequest {
            host,
            path,
            method: request.method.to_owned(),
            params,
            headers,
        },
        extra: Default::default(),
    };
    let mut frame = Frame::new(Message::Upstream(upstream));
    frame.payload = request.body.map(String::into_bytes).unwrap_or_default();
    match socket.send(frame.encode()) {
        Ok(()) => pending.insert(id, deadline, reply),
        Err(e) => {
            let _ = reply.send(Err(e));
        }
    }
}

/// The caller's view of a tunnelled reply.
fn upstream_result(reply: Reply, payload: &[u8]) -> Result<RpcReply, Error> {
    if !reply.status.is_success() {
        return Err(Error::Transport(format!(
            "transport failure: {} {}",
            reply.status.code, reply.status.status
        )));
    }
    let body: Value =
        if payload.is_empty() { Value::Null } else { json::parse(payload).unwrap_or(Value::Null) };
    let status = reply.http_status.map_or(200, |s| s.code);
    if (200..300).contains(&status) {
        return Ok(RpcReply { status, body });
    }
    Err(Error::Api {
        status,
        code: body.get("code").and_then(Value::as_u64).map(|c| c as u32),
        message: body
            .get("message")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| error_message(payload)),
    })
}

/// What a server `close` means for this client, by its status code.
fn closed_by_server(status: Status, payload: &Value) -> Outcome {
    match status.code {
        401 => Outcome::Denied {
            code: status.error_code.unwrap_or(20101),
            reason: status.description.unwrap_or(status.status),
        },
        406 | 417 => Outcome::Terminated(status.description.unwrap_or(status.status)),
        // Offload: reconnect, no sooner than the server asks.
        308 => Outcome::Lost { connected: true, min_backoff: backoff_hint(payload) },
        // 410 (token expired: the next attempt fetches a fresh token) and anything unexpected:
        // reconnect.
        _ => Outcome::Lost { connected: true, min_backoff: None },
    }
}

/// `backoff_policy.reconnect_min_ms` from a 308 close or a 429 reply payload.
fn backoff_hint(payload: &Value) -> Option<Duration> {
    payload["backoff_policy"]["reconnect_min_ms"].as_u64().map(Duration::from_millis)
}

/// Every server message except a `reply` is acknowledged with a `reply` of the same id.
fn acknowledge(socket: &Socket, message: &Message) {
    if let Some(id) = ack_id(message) {
        send_ack(socket, id);
    }
}

/// The id to acknowledge a server message with: every one but replies.
fn ack_id(message: &Message) -> Option<String> {
    if matches!(message, Message::Reply(_)) {
        return None;
    }
    message.id().map(str::to_owned)
}

fn send_ack(socket: &Socket, id: String) {
    let _ = socket.send(Frame::new(Message::Reply(Reply::ack(id))).encode());
}

fn send_acks(socket: &Socket, acks: &mut Vec<String>) {
    for id in acks.drain(..) {
        send_ack(socket, id);
    }
}

fn send_close(socket: &Socket) {
    let close = Close { id: platform::new_message_id(), status: None, extra: Default::default() };
    let _ = socket.send(Frame::new(Message::Close(close)).encode());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_close_codes_and_backoff_hints() {
        let hint = serde_json::json!({ "backoff_policy": { "reconnect_min_ms": 4000, "reconnect_max_ms": 9000 } });
        assert!(matches!(
            closed_by_server(Status::new(308, "Offload"), &hint),
            Outcome::Lost { connected: true, min_backoff: Some(d) } if d == Duration::from_secs(4)
        ));
        assert!(matches!(
            closed_by_server(Status::new(410, "Gone"), &Value::Null),
            Outcome::Lost { min_backoff: None, .. }
        ));
        assert!(matches!(
            closed_by_server(Status::new(406, "x"), &Value::Null),
            Outcome::Terminated(_)
        ));
        assert!(matches!(
            closed_by_server(Status::new(417, "x"), &Value::Null),
            Outcome::Terminated(_)
        ));
        assert!(matches!(
            closed_by_server(Status::new(401, "x").with_error(20104, "expired"), &Value::Null),
            Outcome::Denied { code: 20104, .. }
        ));
        assert_eq!(backoff_hint(&Value::Null), None);
    }

    /// A twilsock server that answers `init` and nothing else; the paths of the requests it
    /// receives go to `seen`.
    #[cfg(not(target_arch = "wasm32"))]
    async fn silent_after_init(seen: mpsc::UnboundedSender<String>) -> std::net::SocketAddr {
        use futures_util::SinkExt;
        use tokio_tungstenite::tungstenite::Message as Ws;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            let mut ws = tokio_tungstenite::accept_async(stream).await.unwrap();
            while let Some(Ok(Ws::Binary(bytes))) = ws.next().await {
                match Frame::decode(&bytes).map(|f| f.message) {
                    Ok(Message::Init(init)) => {
                        let reply = Message::Reply(Reply::new(init.id, Status::ok()));
                        let bytes = Frame::with_json(reply, &serde_json::json!({})).encode();
                        ws.send(Ws::Binary(bytes.into())).await.unwrap();
                    }
                    Ok(Message::Upstream(request)) => {
                        let _ = seen.unbounded_send(request.http_request.path);
                    }
                    _ => {}
                }
            }
        });
        addr
    }

    /// Connected to a server that answers only `init`.
    #[cfg(not(target_arch = "wasm32"))]
    async fn connected_to_silent_server(
    ) -> (Connection, std::net::SocketAddr, mpsc::UnboundedReceiver<String>) {
        let (seen, requests) = mpsc::unbounded();
        let addr = silent_after_init(seen).await;
        let (events, _events) = mpsc::unbounded();
        let tokens = Arc::new(crate::StaticTokenProvider("t".to_owned()));
        let connection = Connection::start(
            ClientConfig::new(format!("ws://{addr}/v3/wsconnect")),
            tokens,
            events,
        );
        let mut states = connection.state().subscribe();
        while !matches!(connection.state().get(), ConnectionState::Connected) {
            tokio::time::timeout(Duration::from_secs(5), states.next())
                .await
                .expect("connected within 5 s");
        }
        (connection, addr, requests)
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn get(addr: std::net::SocketAddr, path: &str, timeout: Duration) -> RpcRequest {
        RpcRequest {
            method: "GET",
            url: format!("http://{addr}{path}"),
            headers: Vec::new(),
            content_type: "application/json",
            body: None,
            timeout,
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    #[tokio::test]
    async fn test_a_request_leaves_before_its_reply_is_awaited() {
        let (connection, addr, mut requests) = connected_to_silent_server().await;
        // Made, never polled: the frame goes anyway (a message's need not wait for the task
        // that awaits its reply to come round).
        let _reply = connection.request(get(addr, "/v1/Eager", Duration::from_secs(30)));
        let path = tokio::time::timeout(Duration::from_secs(3), requests.next())
            .await
            .expect("the request reached the server within 3 s");
        assert_eq!(path.as_deref(), Some("/v1/Eager"));
        connection.shutdown();
    }

    #[cfg(not(target_arch = "wasm32"))]
    #[tokio::test]
    async fn test_an_unanswered_request_times_out_even_behind_a_later_deadline() {
        let (connection, addr, _requests) = connected_to_silent_server().await;
        let request = |timeout| get(addr, "/v1/Configuration", timeout);
        // Connected, the driver waits for the first request's deadline; the second's is
        // earlier, so the wait must be made again for it.
        let patient = connection.request(request(Duration::from_secs(30)));
        let mut patient = pin!(patient);
        assert!(
            tokio::time::timeout(Duration::from_millis(100), patient.as_mut()).await.is_err(),
            "no reply comes"
        );
        let hasty = connection.request(request(Duration::from_millis(300)));
        let outcome = tokio::time::timeout(Duration::from_secs(3), async {
            select_biased! {
                _ = patient.as_mut().fuse() => panic!("the 30 s request ended first"),
                outcome = hasty.fuse() => outcome,
            }
        })
        .await
        .expect("the 300 ms request was still waiting after 3 s");
        assert_eq!(outcome, Err(Error::Timeout("a reply")));
        connection.shutdown();
    }

    #[test]
    fn test_upstream_replies_map_to_results() {
        let mut reply = Reply::new("TM1", Status::ok());
        reply.http_status =
            Some(convo_wire::message::HttpStatus { code: 201, status: "Created".into() });
        assert_eq!(upstream_result(reply.clone(), br#"{"index":3}"#).unwrap().body["index"], 3);
        reply.http_status =
            Some(convo_wire::message::HttpStatus { code: 403, status: "Forbidden".into() });
        let error =
            upstream_result(reply, br#"{"status":403,"code":20403,"message":"no"}"#).unwrap_err();
        assert_eq!(error, Error::Api { status: 403, code: Some(20403), message: "no".into() });
        assert!(!error.is_retryable());
        let transport =
            upstream_result(Reply::new("TM2", Status::new(503, "Busy")), b"").unwrap_err();
        assert!(transport.is_retryable());
    }
}
