//! The twilsock connection: one driver task per [`Client`] fetches a token, opens the socket,
//! sends `init`, acknowledges server messages, and reconnects with backoff when the socket is
//! lost. Its progress is published as [`ConnectionState`].

pub(crate) mod backoff;

use std::sync::Arc;

use convo_wire::{
    message::{Init, Registration, Reply},
    Frame, Message,
};
use futures_channel::mpsc;
use futures_util::{
    future::{select, Either},
    StreamExt,
};

use crate::{
    platform,
    transport::{Socket, SocketEvent},
    ClientConfig, ConnectionState, Error, Observable, Subscriber, TokenProvider,
};

/// Capabilities this client implements (`client_update`: it understands
/// `token_about_to_expire`). It asks for no telemetry and no offline storage.
const CAPABILITIES: [&str; 1] = ["client_update"];

#[derive(Debug)]
enum Command {
    Shutdown,
}

/// A connection to Twilio Conversations. Cheap to clone; all clones drive one connection.
/// Dropping every clone does not stop it: call [`Client::shutdown`].
#[derive(Debug, Clone)]
pub struct Client {
    state: Observable<ConnectionState>,
    commands: mpsc::UnboundedSender<Command>,
}

impl Client {
    /// Starts connecting in the background and returns at once.
    pub fn connect(config: ClientConfig, tokens: Arc<dyn TokenProvider>) -> Client {
        let state = Observable::new(ConnectionState::Connecting);
        let (commands, commands_rx) = mpsc::unbounded();
        platform::spawn(drive(config, tokens, state.clone(), commands_rx));
        Client { state, commands }
    }

    /// The current connection state.
    pub fn state(&self) -> ConnectionState {
        self.state.get()
    }

    /// The connection state now and after every change.
    pub fn subscribe_state(&self) -> Subscriber<ConnectionState> {
        self.state.subscribe()
    }

    /// Closes the connection for good; the state becomes `Disconnected`.
    pub fn shutdown(&self) {
        let _ = self.commands.unbounded_send(Command::Shutdown);
    }
}

/// How one connection attempt ended.
#[derive(Debug)]
enum Outcome {
    /// Try again after a backoff; `connected` says whether `init` had succeeded.
    Lost { connected: bool },
    /// Final: the token was refused.
    Denied { code: u32, reason: String },
    /// Final: the server ended the session for good.
    Terminated(String),
    /// The application shut the client down.
    Shutdown,
}

async fn drive(
    config: ClientConfig,
    tokens: Arc<dyn TokenProvider>,
    state: Observable<ConnectionState>,
    mut commands: mpsc::UnboundedReceiver<Command>,
) {
    let mut attempt = 0u32;
    let mut continuation: Option<String> = None;
    loop {
        state.set(ConnectionState::Connecting);
        let outcome =
            attempt_session(&config, &*tokens, &state, &mut continuation, &mut commands).await;
        match outcome {
            Outcome::Lost { connected } => {
                // A successful init resets the schedule, as the official SDK does.
                attempt = if connected { 1 } else { attempt + 1 };
                let retry_in =
                    backoff::backoff_delay(&config.backoff, attempt, platform::random_unit());
                state.set(ConnectionState::Reconnecting { attempt, retry_in });
                let wait = std::pin::pin!(platform::sleep(retry_in));
                if let Either::Right(_) = select(wait, commands.next()).await {
                    state.set(ConnectionState::Disconnected);
                    return;
                }
            }
            Outcome::Denied { code, reason } => {
                state.set(ConnectionState::Denied { code, reason });
                return;
            }
            Outcome::Terminated(reason) => {
                state.set(ConnectionState::Terminated { reason });
                return;
            }
            Outcome::Shutdown => {
                state.set(ConnectionState::Disconnected);
                return;
            }
        }
    }
}

async fn attempt_session(
    config: &ClientConfig,
    tokens: &dyn TokenProvider,
    state: &Observable<ConnectionState>,
    continuation: &mut Option<String>,
    commands: &mut mpsc::UnboundedReceiver<Command>,
) -> Outcome {
    let token = match tokens.fetch().await {
        Ok(token) => token,
        // The host backend refusing to issue a token (4xx) will not change by retrying.
        Err(error) if !error.is_retryable() => {
            let code = match &error {
                Error::Http { status, .. } => u32::from(*status),
                _ => 0,
            };
            return Outcome::Denied { code, reason: error.to_string() };
        }
        Err(_) => return Outcome::Lost { connected: false },
    };
    let Ok((socket, mut events)) = Socket::connect(&config.twilsock_url).await else {
        return Outcome::Lost { connected: false };
    };

    let init_id = platform::new_message_id();
    let init = Init {
        id: init_id.clone(),
        token: token.token,
        continuation_token: continuation.clone(),
        metadata: serde_json::json!({ "sdk": "convo-client", "sdkv": env!("CARGO_PKG_VERSION") }),
        registrations: vec![Registration::conversations()],
        tweaks: serde_json::Value::Null,
        capabilities: CAPABILITIES.iter().map(|c| (*c).to_owned()).collect(),
        extra: Default::default(),
    };
    if socket.send(Frame::new(Message::Init(init)).encode()).is_err() {
        return Outcome::Lost { connected: false };
    }

    let reply = platform::timeout(config.init_timeout, async {
        loop {
            match events.next().await {
                Some(SocketEvent::Binary(bytes)) => match Frame::decode(&bytes) {
                    Ok(Frame { message: Message::Reply(reply), .. }) if reply.id == init_id => {
                        return Ok(reply)
                    }
                    // Nothing else is expected before the init reply; acknowledge and move on.
                    Ok(frame) => acknowledge(&socket, &frame.message),
                    Err(e) => return Err(Error::Protocol(e)),
                },
                Some(SocketEvent::Closed { reason, .. }) => return Err(Error::Transport(reason)),
                None => return Err(Error::Transport("socket ended".to_owned())),
            }
        }
    })
    .await;
    let reply = match reply {
        None => {
            send_close(&socket);
            return Outcome::Lost { connected: false };
        }
        Some(Err(_)) => return Outcome::Lost { connected: false },
        Some(Ok(reply)) => reply,
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
        _ => {
            send_close(&socket);
            return Outcome::Lost { connected: false };
        }
    }
    *continuation = reply.continuation_token.or(continuation.take());
    state.set(ConnectionState::Connected);

    loop {
        match select(events.next(), commands.next()).await {
            Either::Left((Some(SocketEvent::Binary(bytes)), _)) => {
                // A frame we cannot parse is dropped, as the official client does.
                let Ok(frame) = Frame::decode(&bytes) else { continue };
                acknowledge(&socket, &frame.message);
                if let Message::Close(close) = frame.message {
                    socket.close();
                    return closed_by_server(
                        close.status.unwrap_or_else(|| convo_wire::Status::new(0, "")),
                    );
                }
            }
            Either::Left((Some(SocketEvent::Closed { .. }) | None, _)) => {
                return Outcome::Lost { connected: true };
            }
            Either::Right((Some(Command::Shutdown) | None, _)) => {
                send_close(&socket);
                socket.close();
                return Outcome::Shutdown;
            }
        }
    }
}

/// What a server `close` means for this client, by its status code.
fn closed_by_server(status: convo_wire::Status) -> Outcome {
    match status.code {
        401 => Outcome::Denied {
            code: status.error_code.unwrap_or(20101),
            reason: status.description.unwrap_or(status.status),
        },
        406 | 417 => Outcome::Terminated(status.description.unwrap_or(status.status)),
        // 308 (go elsewhere), 410 (token expired: the next attempt fetches a fresh token) and
        // anything unexpected: reconnect.
        _ => Outcome::Lost { connected: true },
    }
}

/// Every server message except a `reply` is acknowledged with a `reply` of the same id.
fn acknowledge(socket: &Socket, message: &Message) {
    if matches!(message, Message::Reply(_)) {
        return;
    }
    if let Some(id) = message.id() {
        let _ = socket.send(Frame::new(Message::Reply(Reply::ack(id))).encode());
    }
}

fn send_close(socket: &Socket) {
    let close = convo_wire::message::Close {
        id: platform::new_message_id(),
        status: None,
        extra: Default::default(),
    };
    let _ = socket.send(Frame::new(Message::Close(close)).encode());
}
