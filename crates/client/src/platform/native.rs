//! Native runtime services: tokio and reqwest.

use std::{
    collections::hash_map::RandomState,
    future::Future,
    hash::{BuildHasher, Hasher},
    pin::Pin,
    sync::atomic::{AtomicU64, Ordering},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use futures_channel::mpsc;

use super::{CredentialsMode, HttpResponse};
use crate::Error;

/// A boxed future; `Send` natively so it can move between tokio worker threads.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// `Send` natively, nothing in the browser (where everything lives on one thread).
pub trait MaybeSend: Send {}
impl<T: Send> MaybeSend for T {}

/// `Sync` natively, nothing in the browser.
pub trait MaybeSync: Sync {}
impl<T: Sync> MaybeSync for T {}

/// Boxed, as in the browser (where it keeps the wasm small).
pub(crate) fn spawn(future: BoxFuture<'static, ()>) {
    tokio::spawn(future);
}

/// Waits for `duration`.
pub async fn sleep(duration: Duration) {
    tokio::time::sleep(duration).await;
}

pub(crate) fn now_millis() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or_default()
}

/// Moments to reconnect at once instead of waiting out the backoff. A native process has no
/// such signal; the stream stays silent.
pub(crate) struct WakeSignals {
    pub(crate) events: mpsc::UnboundedReceiver<()>,
    _sender: mpsc::UnboundedSender<()>,
}

impl WakeSignals {
    pub(crate) fn new() -> Self {
        let (sender, events) = mpsc::unbounded();
        WakeSignals { events, _sender: sender }
    }
}

pub(crate) fn random_u64() -> u64 {
    // `RandomState` is seeded from the OS once per process and re-keyed per instance; mixing
    // in a counter makes consecutive draws independent. Good enough for jitter and ids,
    // without a `rand` dependency.
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.finish()
}

pub(crate) async fn post_json(
    url: &str,
    headers: &[(String, String)],
    _credentials: CredentialsMode,
    body: String,
) -> Result<HttpResponse, Error> {
    let client = reqwest::Client::new();
    let mut request = client.post(url).header("Content-Type", "application/json").body(body);
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let response = request.send().await.map_err(|e| Error::Network(e.to_string()))?;
    let status = response.status().as_u16();
    let body = response.bytes().await.map_err(|e| Error::Network(e.to_string()))?.to_vec();
    Ok(HttpResponse { status, body })
}

pub(crate) async fn upload(
    url: &str,
    headers: &[(String, String)],
    content_type: &str,
    bytes: Vec<u8>,
    progress: mpsc::UnboundedSender<(u64, u64)>,
    cancel: futures_channel::oneshot::Receiver<()>,
) -> Result<HttpResponse, Error> {
    use futures_util::{future::Either, StreamExt};

    const CHUNK: usize = 64 * 1024;
    let total = bytes.len() as u64;
    let data = bytes::Bytes::from(bytes);
    // Each chunk is reported as hyper pulls it: what it pulled is what went out.
    let chunks = (0..data.len().div_ceil(CHUNK).max(1)).map(move |i| {
        let end = ((i + 1) * CHUNK).min(data.len());
        (data.slice(i * CHUNK..end), end as u64)
    });
    let body = futures_util::stream::iter(chunks).map(move |(chunk, sent)| {
        let _ = progress.unbounded_send((sent, total));
        Ok::<_, std::io::Error>(chunk)
    });
    let mut request = reqwest::Client::new()
        .post(url)
        .header("Content-Type", content_type)
        .header("Content-Length", total)
        .body(reqwest::Body::wrap_stream(body));
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let send = std::pin::pin!(request.send());
    let response = match futures_util::future::select(send, cancel).await {
        Either::Left((response, _)) => response.map_err(|e| Error::Network(e.to_string()))?,
        // Dropping the request future aborts the upload.
        Either::Right((Ok(()), _)) => return Err(Error::Cancelled),
        Either::Right((Err(_), send)) => send.await.map_err(|e| Error::Network(e.to_string()))?,
    };
    let status = response.status().as_u16();
    let body = response.bytes().await.map_err(|e| Error::Network(e.to_string()))?.to_vec();
    Ok(HttpResponse { status, body })
}

pub(crate) async fn get(url: &str, headers: &[(String, String)]) -> Result<HttpResponse, Error> {
    let mut request = reqwest::Client::new().get(url);
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let response = request.send().await.map_err(|e| Error::Network(e.to_string()))?;
    let status = response.status().as_u16();
    let body = response.bytes().await.map_err(|e| Error::Network(e.to_string()))?.to_vec();
    Ok(HttpResponse { status, body })
}
