//! `convo-client`: the Rust port of the Twilio Conversations client connection.
//!
//! It runs in the browser (compiled to `wasm32-unknown-unknown`) and natively (tokio), with the
//! difference confined to [`platform`] and `transport`. The UI never sees sockets: it reads
//! observable state ([`Client::state`], [`Client::subscribe_state`]) and calls commands.
//!
//! ```no_run
//! # async fn demo() {
//! use std::sync::Arc;
//! use convo_client::{Client, ClientConfig, SessionTokenProvider};
//!
//! let tokens = Arc::new(SessionTokenProvider::new(
//!     "http://127.0.0.1:8787/api/session",
//!     "http://127.0.0.1:8787/api/token",
//! ));
//! let client = Client::connect(ClientConfig::new("ws://127.0.0.1:8788/v3/wsconnect"), tokens);
//! let mut states = client.subscribe_state();
//! # }
//! ```
#![warn(missing_docs)]

mod auth;
mod client;
mod config;
mod connection;
mod engine;
mod error;
mod model;
mod observable;
pub mod platform;
mod sorted;
mod state;
mod transport;
mod vector;

pub use auth::{
    error_message, SessionInfo, SessionTokenProvider, StaticTokenProvider, Token, TokenProvider,
};
pub use client::{limits, Client, ConversationHandle};
pub use config::{BackoffConfig, ClientConfig};
pub use connection::backoff::backoff_delay;
pub use engine::OLDER_PAGE_SIZE;
pub use error::Error;
pub use model::{
    Attachment, ConversationInfo, ConversationState, Media, MediaUrl, Message, Participant,
    PendingMessage, SendStatus, TimelineItem, UnsentMessage,
};
pub use observable::{Observable, Subscriber};
pub use sorted::{SortedMap, SortedSet};
pub use state::ConnectionState;
pub use vector::{ObservableVector, VectorDiff};
