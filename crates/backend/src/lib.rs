//! `convo-backend`: what a site owner deploys beside the widget. It creates or resumes each
//! visitor's conversation, issues Twilio access tokens, verifies webhooks and runs an optional
//! greeting bot. It talks to Twilio only through the documented REST API, so the same code runs
//! against Twilio and against the emulator; only base URLs and credentials differ.

mod client_addr;
mod config;
mod error;
mod rate_limit;
mod routes;
pub mod session;
mod state;
mod twilio;

use std::net::SocketAddr;

use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};

pub use config::{BackendConfig, BotConfig, Mode, Timers};
pub use error::{BackendError, CONVERSATION_CLOSED_CODE, SESSION_EXPIRED_CODE};
pub use twilio::TwilioApi;

/// A running backend bound to a port.
#[derive(Debug)]
pub struct Backend {
    addr: SocketAddr,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl Backend {
    /// Binds `listen` (port 0 picks a free port) and serves the API until [`Backend::shutdown`].
    /// In emulator mode, points the emulator's webhooks at this backend first.
    pub async fn spawn(config: BackendConfig, listen: SocketAddr) -> Result<Self, BackendError> {
        let listener = TcpListener::bind(listen)
            .await
            .map_err(|e| BackendError::Config(format!("cannot listen on {listen}: {e}")))?;
        let addr = listener.local_addr().map_err(|e| BackendError::Config(e.to_string()))?;
        let state = state::AppState::new(config, addr);
        // Presence ("Online"/"Away") needs reachability, off by default on Twilio; the same
        // call against the emulator, so this path is exercised by every test.
        state.twilio.enable_reachability().await.map_err(|e| {
            BackendError::Config(format!(
                "cannot enable reachability on the Conversations service ({e}); check the \
                 service SID and that the API key may update its configuration"
            ))
        })?;
        if matches!(state.config.mode, Mode::Emulator { .. }) {
            state.twilio.configure_webhooks(&state.webhook_url, &["onMessageAdded"]).await?;
        }
        let limits = state.config.server.clone();
        let app = routes::router(state);
        let (shutdown, signal) = oneshot::channel::<()>();
        // The emulator's server loop: the same header-read timeout and connection caps.
        let task = tokio::spawn(convo_emulator::server::serve(listener, app, limits, async move {
            let _ = signal.await;
        }));
        Ok(Backend { addr, shutdown, task })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops serving.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(());
        let _ = self.task.await;
    }
}

/// Test helpers: the emulator and a backend wired to it, on free loopback ports. Not for
/// production use.
#[cfg(feature = "testing")]
pub mod testing {
    use convo_emulator::{Emulator, EmulatorConfig};

    use super::{Backend, BackendConfig};

    /// An emulator and a backend that uses it.
    #[derive(Debug)]
    pub struct TestStack {
        /// The emulator.
        pub emulator: Emulator,
        /// The backend.
        pub backend: Backend,
    }

    impl TestStack {
        /// Both on `127.0.0.1:0` with development settings.
        pub async fn spawn() -> Self {
            Self::spawn_with(|_| {}).await
        }

        /// Both, with `tweak` applied to the backend's settings first.
        pub async fn spawn_with(tweak: impl FnOnce(&mut BackendConfig)) -> Self {
            let loopback = ([127, 0, 0, 1], 0).into();
            let emulator = Emulator::spawn(EmulatorConfig::default(), loopback)
                .await
                .expect("emulator starts");
            let mut config = BackendConfig::development();
            config.api_url = emulator.url();
            config.twilsock_url = emulator.twilsock_url();
            tweak(&mut config);
            let backend = Backend::spawn(config, loopback).await.expect("backend starts");
            TestStack { emulator, backend }
        }

        /// Stops both.
        pub async fn shutdown(self) {
            self.backend.shutdown().await;
            self.emulator.shutdown().await;
        }
    }
}
