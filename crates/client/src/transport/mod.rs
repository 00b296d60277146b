//! The websocket under twilsock. `native.rs` (tokio-tungstenite) and `wasm.rs` (the browser's
//! `WebSocket`) both export [`Socket`] with the same methods; this is one of the two places in
//! the crate (with `platform`) that branch on the target.

#[cfg(not(target_arch = "wasm32"))]
mod native;
#[cfg(not(target_arch = "wasm32"))]
pub(crate) use native::Socket;
#[cfg(target_arch = "wasm32")]
mod wasm;
#[cfg(target_arch = "wasm32")]
pub(crate) use wasm::Socket;

/// What arrives from the socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SocketEvent {
    /// One binary websocket message (one twilsock packet).
    Binary(Vec<u8>),
    /// The socket closed or failed; nothing more will arrive.
    Closed {
        /// The websocket close code, when there was one.
        code: Option<u16>,
        /// The close reason or error text.
        reason: String,
    },
}
