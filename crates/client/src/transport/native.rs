//! Native websocket: tokio-tungstenite, with one task reading and one writing.

use futures_channel::mpsc;
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message as WsMessage;

use super::SocketEvent;
use crate::Error;

enum Command {
    Send(Vec<u8>),
    Close,
}

/// An open websocket. Dropping it closes the connection.
#[derive(Debug)]
pub(crate) struct Socket {
    commands: mpsc::UnboundedSender<Command>,
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Command::Send(bytes) => write!(f, "Send({} bytes)", bytes.len()),
            Command::Close => f.write_str("Close"),
        }
    }
}

impl Socket {
    /// Opens `url` and returns the socket and the stream of what arrives on it.
    pub(crate) async fn connect(
        url: &str,
    ) -> Result<(Socket, mpsc::UnboundedReceiver<SocketEvent>), Error> {
        let (stream, _) = tokio_tungstenite::connect_async(url)
            .await
            .map_err(|e| Error::Transport(e.to_string()))?;
        let (mut sink, mut source) = stream.split();
        let (events_tx, events) = mpsc::unbounded();
        let (commands, mut commands_rx) = mpsc::unbounded::<Command>();

        tokio::spawn(async move {
            while let Some(command) = commands_rx.next().await {
                let result = match command {
                    Command::Send(bytes) => sink.send(WsMessage::Binary(bytes.into())).await,
                    Command::Close => {
                        let _ = sink.close().await;
                        break;
                    }
                };
                if result.is_err() {
                    break;
                }
            }
            // Every `Socket` handle is gone or asked to close.
            let _ = sink.close().await;
        });
        tokio::spawn(async move {
            let closed = loop {
                match source.next().await {
                    Some(Ok(WsMessage::Binary(bytes))) => {
                        if events_tx.unbounded_send(SocketEvent::Binary(bytes.to_vec())).is_err() {
                            return;
                        }
                    }
                    // Twilsock is binary only; a text frame is the server's mistake. Pass it on
                    // so the codec reports it rather than silently dropping data.
                    Some(Ok(WsMessage::Text(text))) => {
                        let _ =
                            events_tx.unbounded_send(SocketEvent::Binary(text.as_bytes().to_vec()));
                    }
                    Some(Ok(WsMessage::Close(frame))) => {
                        break SocketEvent::Closed {
                            code: frame.as_ref().map(|f| u16::from(f.code)),
                            reason: frame.map(|f| f.reason.to_string()).unwrap_or_default(),
                        };
                    }
                    Some(Ok(_)) => {}
                    Some(Err(e)) => {
                        break SocketEvent::Closed { code: None, reason: e.to_string() }
                    }
                    None => {
                        break SocketEvent::Closed {
                            code: None,
                            reason: "connection closed".to_owned(),
                        }
                    }
                }
            };
            let _ = events_tx.unbounded_send(closed);
        });
        Ok((Socket { commands }, events))
    }

    /// Queues one binary message.
    pub(crate) fn send(&self, bytes: Vec<u8>) -> Result<(), Error> {
        self.commands
            .unbounded_send(Command::Send(bytes))
            .map_err(|_| Error::Transport("socket is closed".to_owned()))
    }

    /// Closes the socket.
    pub(crate) fn close(&self) {
        let _ = self.commands.unbounded_send(Command::Close);
    }
}
