//! Browser websocket: `web_sys::WebSocket` with `binaryType = "arraybuffer"`.

use futures_channel::{mpsc, oneshot};
use wasm_bindgen::{closure::Closure, JsCast};
use web_sys::{BinaryType, CloseEvent, Event, MessageEvent, WebSocket};

use super::SocketEvent;
use crate::{platform::js_text, Error};

/// An open websocket. Dropping it detaches the handlers and closes the connection.
pub(crate) struct Socket {
    ws: WebSocket,
    // The handlers must outlive the socket's events; they are dropped with `Socket`, after the
    // socket has been told to forget them.
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
    _on_error: Closure<dyn FnMut(Event)>,
    _on_open: Closure<dyn FnMut(Event)>,
}

impl std::fmt::Debug for Socket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Socket").field("url", &self.ws.url()).finish()
    }
}

impl Socket {
    /// Opens `url` and returns the socket and the stream of what arrives on it.
    pub(crate) async fn connect(
        url: &str,
    ) -> Result<(Socket, mpsc::UnboundedReceiver<SocketEvent>), Error> {
        let ws = WebSocket::new(url).map_err(|e| Error::Transport(js_text(&e)))?;
        ws.set_binary_type(BinaryType::Arraybuffer);
        let (events_tx, events) = mpsc::unbounded();
        let (opened_tx, opened) = oneshot::channel::<Result<(), String>>();
        let opened_tx = std::rc::Rc::new(std::cell::RefCell::new(Some(opened_tx)));

        let tx = events_tx.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let data = event.data();
            let bytes = if let Ok(buffer) = data.dyn_into::<js_sys::ArrayBuffer>() {
                js_sys::Uint8Array::new(&buffer).to_vec()
            } else if let Some(text) = event.data().as_string() {
                // Twilsock is binary; hand text to the codec so it reports the mistake.
                text.into_bytes()
            } else {
                return;
            };
            let _ = tx.unbounded_send(SocketEvent::Binary(bytes));
        });
        let tx = events_tx.clone();
        let opened_on_close = opened_tx.clone();
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |event: CloseEvent| {
            if let Some(opened) = opened_on_close.borrow_mut().take() {
                let _ = opened.send(Err(format!("closed before opening (code {})", event.code())));
            }
            let _ = tx.unbounded_send(SocketEvent::Closed {
                code: Some(event.code()),
                reason: event.reason(),
            });
        });
        // An `error` event is always followed by `close`, which reports it.
        let on_error = Closure::<dyn FnMut(Event)>::new(move |_event: Event| {});
        let opened_on_open = opened_tx;
        let on_open = Closure::<dyn FnMut(Event)>::new(move |_event: Event| {
            if let Some(opened) = opened_on_open.borrow_mut().take() {
                let _ = opened.send(Ok(()));
            }
        });
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        ws.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        let socket = Socket {
            ws,
            _on_message: on_message,
            _on_close: on_close,
            _on_error: on_error,
            _on_open: on_open,
        };
        match opened.await {
            Ok(Ok(())) => Ok((socket, events)),
            Ok(Err(reason)) => Err(Error::Transport(reason)),
            Err(_) => Err(Error::Transport("socket dropped while opening".to_owned())),
        }
    }

    /// Sends one binary message.
    pub(crate) fn send(&self, bytes: Vec<u8>) -> Result<(), Error> {
        self.ws.send_with_u8_array(&bytes).map_err(|e| Error::Transport(js_text(&e)))
    }

    /// Closes the socket.
    pub(crate) fn close(&self) {
        let _ = self.ws.close();
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        self.ws.set_onerror(None);
        self.ws.set_onopen(None);
        let _ = self.ws.close();
    }
}
