//! `convo-backend`: what a site owner deploys beside the widget. It issues Twilio access
//! tokens for visitors. It talks to Twilio (or the embedded emulator) only through documented
//! APIs, so the same code runs against both; only base URLs and credentials differ.

mod config;
mod error;
mod routes;

use std::net::SocketAddr;

use axum::Router;
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};

pub use config::{BackendConfig, Mode};
pub use error::BackendError;

/// The backend's HTTP API under `/api`.
pub fn app(config: BackendConfig) -> Router {
    routes::router(config)
}

/// A running backend bound to a port.
#[derive(Debug)]
pub struct Backend {
    addr: SocketAddr,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl Backend {
    /// Binds `listen` (port 0 picks a free port) and serves [`app`] until [`Backend::shutdown`].
    pub async fn spawn(config: BackendConfig, listen: SocketAddr) -> std::io::Result<Self> {
        let listener = TcpListener::bind(listen).await?;
        let addr = listener.local_addr()?;
        let (shutdown, signal) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, app(config)).with_graceful_shutdown(async move {
                let _ = signal.await;
            });
            if let Err(e) = serve.await {
                tracing::error!("backend server stopped: {e}");
            }
        });
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
