//! Native runtime services: tokio and reqwest.

use std::{
    collections::hash_map::RandomState,
    future::Future,
    hash::{BuildHasher, Hasher},
    pin::Pin,
    sync::atomic::{AtomicU64, Ordering},
    time::Duration,
};

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

pub(crate) fn spawn<F: Future<Output = ()> + Send + 'static>(future: F) {
    tokio::spawn(future);
}

/// Waits for `duration`.
pub async fn sleep(duration: Duration) {
    tokio::time::sleep(duration).await;
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
