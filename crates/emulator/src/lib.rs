//! `convo-emulator`: a faithful local stand-in for Twilio Conversations, so Convo runs and is
//! tested on one machine with no Twilio account. The official `@twilio/conversations` SDK is
//! its judge: it must work against it with only `twilsock.uri` set.
//!
//! The library is what the binary, the backend (which embeds it when no Twilio credentials are
//! configured) and the tests run: [`Emulator::spawn`] binds a listener and serves [`router`].

mod aim;
mod auth;
mod cds;
mod config;
mod faults;
mod ids;
mod mcs;
mod quotas;
mod rest;
mod routing;
pub mod server;
mod state;
mod sync;
mod timers;
mod twilsock;
mod webhooks;
mod world;

use std::net::SocketAddr;

use axum::{middleware, routing::get, Router};
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};

pub use config::{EmulatorConfig, Limits, Quotas};
pub use state::AppState;

/// The emulator's HTTP surface: the twilsock websocket, MCS and the REST API v1.
pub fn router(state: AppState) -> Router {
    let limit = state.config().server.request_timeout;
    let timeout =
        middleware::from_fn(move |request, next| server::request_timeout(limit, request, next));
    let mut router = Router::new().merge(mcs::router(state.config())).merge(rest::router());
    if state.config().testing_endpoints {
        router = router.merge(faults::router());
    }
    // The websocket lives on after its upgrade answer, and uploads (up to 150 MB) have their
    // own, longer limit: neither is under the request timeout.
    router
        .layer(timeout)
        .merge(mcs::upload_router(state.config()))
        .route("/v3/wsconnect", get(twilsock::upgrade))
        .with_state(state)
}

/// A running emulator bound to a loopback port.
#[derive(Debug)]
pub struct Emulator {
    addr: SocketAddr,
    state: AppState,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<()>,
    timers: JoinHandle<()>,
}

impl Emulator {
    /// Binds `listen` (port 0 picks a free port) and serves until [`Emulator::shutdown`].
    pub async fn spawn(config: EmulatorConfig, listen: SocketAddr) -> std::io::Result<Self> {
        let listener = TcpListener::bind(listen).await?;
        let addr = listener.local_addr()?;
        let state = AppState::new(config, addr);
        state.world().webhook_queue =
            Some(webhooks::spawn_delivery(state.config().credentials.auth_token.clone()));
        let timers = tokio::spawn(timers::run(state.clone()));
        let app = router(state.clone());
        let (shutdown, signal) = oneshot::channel::<()>();
        let limits = state.config().server.clone();
        let task = tokio::spawn(server::serve(listener, app, limits, async move {
            let _ = signal.await;
        }));
        Ok(Emulator { addr, state, shutdown, task, timers })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `ws://127.0.0.1:PORT/v3/wsconnect`, what a client passes as its twilsock URI.
    pub fn twilsock_url(&self) -> String {
        format!("ws://{}/v3/wsconnect", self.addr)
    }

    /// The shared state, for tests that inspect or script the emulator.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Closes every connection and stops serving.
    pub async fn shutdown(self) {
        self.state.close_all_connections();
        self.timers.abort();
        let _ = self.shutdown.send(());
        let _ = self.task.await;
    }
}
