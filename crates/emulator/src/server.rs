//! The HTTP server loop shared by the emulator and the backend: hyper's HTTP/1 connection
//! builder with a header-read timeout, a longer keep-alive idle timeout, and caps on open
//! connections overall and per client address. `axum::serve` has none of these, so one
//! slow-loris client could hold sockets forever.
//!
//! Request (handler) timeouts are a router layer instead ([`request_timeout`]), so each server
//! leaves out what must run long: the twilsock upgrade and media uploads.

use std::{
    collections::HashMap,
    future::Future,
    net::{IpAddr, SocketAddr},
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{
    extract::{ConnectInfo, Request},
    http::StatusCode,
    middleware::Next,
    response::{IntoResponse, Response},
    Json, Router,
};
use convo_wire::TwilioError;
use hyper::{body::Incoming, server::conn::http1};
use hyper_util::rt::TokioIo;
use tokio::{
    net::{TcpListener, TcpStream},
    sync::watch,
};
use tower::ServiceExt as _;

mod keep_alive;

/// Connection-level limits of one HTTP server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerLimits {
    /// A client must send a request's whole header block within this time of its first byte,
    /// or its connection is closed (slow-loris).
    pub header_read_timeout: Duration,
    /// How long a keep-alive connection may wait for its next request. Longer than the pools
    /// of the clients and proxies in front (60–90 s), so that they, not the server, close an
    /// idle connection: see [`keep_alive`].
    pub idle_timeout: Duration,
    /// How long a handler may take to answer (reading the body included).
    pub request_timeout: Duration,
    /// Open connections overall; more are closed as soon as they are accepted.
    pub max_connections: usize,
    /// Open connections from one IP address.
    pub max_connections_per_ip: usize,
}

impl Default for ServerLimits {
    fn default() -> Self {
        ServerLimits {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(120),
            request_timeout: Duration::from_secs(30),
            max_connections: 10_000,
            max_connections_per_ip: 256,
        }
    }
}

/// Serves `app` on `listener` until `shutdown` resolves, then lets open requests finish (at
/// most `GRACE`). Handlers can read the peer address with `ConnectInfo<SocketAddr>`.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ServerLimits,
    shutdown: impl Future<Output = ()> + Send,
) {
    /// Long enough for an answer in flight, short enough that a stuck client cannot hold a
    /// shutdown (upgraded websockets are closed by their owners, not here).
    const GRACE: Duration = Duration::from_secs(5);
    // Each connection holds a receiver: a send asks them to finish, and `closed` resolves
    // once every one of them has.
    let (stop, _) = watch::channel(());
    let open = Arc::new(OpenConnections::default());
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: pause rather than spin.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(slot) = open.take(peer.ip(), &limits) else {
            tracing::debug!(%peer, "connection limit reached: closing");
            drop(stream);
            continue;
        };
        let stopping = stop.subscribe();
        let (app, own_limits) = (app.clone(), limits.clone());
        tokio::spawn(async move {
            let _slot = slot;
            serve_connection(stream, peer, app, &own_limits, stopping).await;
        });
    }
    drop(listener);
    let _ = stop.send(());
    let _ = tokio::time::timeout(GRACE, stop.closed()).await;
}

/// One HTTP/1.1 connection (with upgrades, for the websocket). HTTP/2 is left out, as
/// `axum::serve` here had it: browsers and Twilio's helpers use HTTP/1.1 over plain TCP.
async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    app: Router,
    limits: &ServerLimits,
    mut stopping: watch::Receiver<()>,
) {
    // Small frames both ways (twilsock, tunnelled requests): without this, Nagle's algorithm
    // holds each one back behind the previous one's ACK.
    let _ = stream.set_nodelay(true);
    let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        app.clone().oneshot(request.map(axum::body::Body::new))
    });
    let (stream, reads) = keep_alive::CountingStream::new(stream);
    let connection = http1::Builder::new()
        .timer(keep_alive::RequestTimer::new(reads, limits.idle_timeout))
        .header_read_timeout(limits.header_read_timeout)
        .serve_connection(TokioIo::new(stream), service)
        .with_upgrades();
    tokio::pin!(connection);
    let result = tokio::select! {
        result = connection.as_mut() => result,
        _ = stopping.changed() => {
            // Finish the request in flight, then close.
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(e) = result {
        // Timeouts and resets by the client: routine, nothing to act on.
        tracing::debug!(%peer, "connection ended: {e}");
    }
}

/// Counts of open connections, overall and per address.
#[derive(Debug, Default)]
struct OpenConnections {
    counts: Mutex<(usize, HashMap<IpAddr, usize>)>,
}

/// One open connection's place in the counts, given back when dropped.
struct Slot {
    open: Arc<OpenConnections>,
    ip: IpAddr,
}

impl OpenConnections {
    fn take(self: &Arc<Self>, ip: IpAddr, limits: &ServerLimits) -> Option<Slot> {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        let (total, per_ip) = &mut *counts;
        let mine = per_ip.get(&ip).copied().unwrap_or(0);
        if *total >= limits.max_connections || mine >= limits.max_connections_per_ip {
            return None;
        }
        *total += 1;
        per_ip.insert(ip, mine + 1);
        Some(Slot { open: self.clone(), ip })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut counts = self.open.counts.lock().unwrap_or_else(|p| p.into_inner());
        let (total, per_ip) = &mut *counts;
        *total = total.saturating_sub(1);
        if let Some(n) = per_ip.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                per_ip.remove(&self.ip);
            }
        }
    }
}

/// Middleware: a handler that has not answered within `limit` gets a Twilio-shaped 408 (a
/// client trickling its body one byte at a time ends here too). tower-http's `TimeoutLayer`
/// answers with an empty body, which no Twilio client can read.
pub async fn request_timeout(limit: Duration, request: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            let error = TwilioError::new(408, 20001, "The request took too long; try again.");
            (StatusCode::REQUEST_TIMEOUT, Json(error)).into_response()
        }
    }
}
