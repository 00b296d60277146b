//! Runtime services that differ between the browser and native targets: spawning, timers,
//! clock, randomness and HTTP. `native.rs` and `wasm.rs` export the same signatures; this is
//! one of the two places in the crate (with `transport`) that branch on the target.

use std::{future::Future, time::Duration};

use futures_util::future::{select, Either};

#[cfg(not(target_arch = "wasm32"))]
mod native;
#[cfg(not(target_arch = "wasm32"))]
use native as sys;
#[cfg(target_arch = "wasm32")]
mod wasm;
#[cfg(target_arch = "wasm32")]
use wasm as sys;

pub use sys::sleep;
pub(crate) use sys::{now_millis, random_u64, spawn, WakeSignals};
pub use sys::{BoxFuture, MaybeSend, MaybeSync};
#[cfg(target_arch = "wasm32")]
pub(crate) use wasm::js_text;

/// An HTTP response as the client needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// The body bytes.
    pub body: Vec<u8>,
}

/// Whether a cross-origin request carries cookies (the fetch `credentials` mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CredentialsMode {
    /// Never send cookies.
    Omit,
    /// Cookies for same-origin requests only (the browser default).
    #[default]
    SameOrigin,
    /// Cookies for cross-origin requests too (the host backend must allow credentials).
    Include,
}

/// POSTs a JSON body and returns the response, whatever its status.
pub async fn post_json(
    url: &str,
    headers: &[(String, String)],
    credentials: CredentialsMode,
    body: String,
) -> Result<HttpResponse, crate::Error> {
    sys::post_json(url, headers, credentials, body).await
}

/// GETs `url` with `headers` and returns the response, whatever its status.
pub async fn get(url: &str, headers: &[(String, String)]) -> Result<HttpResponse, crate::Error> {
    sys::get(url, headers).await
}

/// POSTs `bytes` with progress reports `(sent, total)` on `progress`; resolving `cancel`
/// aborts it (`Error::Cancelled`). Browsers use `XMLHttpRequest`, whose upload progress `fetch`
/// cannot report.
pub async fn upload(
    url: &str,
    headers: &[(String, String)],
    content_type: &str,
    bytes: Vec<u8>,
    progress: futures_channel::mpsc::UnboundedSender<(u64, u64)>,
    cancel: futures_channel::oneshot::Receiver<()>,
) -> Result<HttpResponse, crate::Error> {
    sys::upload(url, headers, content_type, bytes, progress, cancel).await
}

/// A random number in `[0, 1)`, for jitter.
pub(crate) fn random_unit() -> f64 {
    (random_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// Runs `future` for at most `limit`; `None` if the time ran out first.
pub async fn timeout<F: Future>(limit: Duration, future: F) -> Option<F::Output> {
    let future = std::pin::pin!(future);
    let timer = std::pin::pin!(sleep(limit));
    match select(future, timer).await {
        Either::Left((output, _)) => Some(output),
        Either::Right(_) => None,
    }
}

/// Lets every task that is ready now run first, then resumes. In the browser that is later in
/// the same task (the executor's next microtask), not a timer's task of its own.
pub(crate) fn yield_now() -> impl Future<Output = ()> {
    let mut yielded = false;
    std::future::poll_fn(move |cx| {
        if yielded {
            std::task::Poll::Ready(())
        } else {
            yielded = true;
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    })
}

/// A twilsock-style id: `TM` + a random UUID v4.
pub(crate) fn new_message_id() -> String {
    let (a, b) = (random_u64(), random_u64());
    // Version 4 and RFC 4122 variant bits, so the ids look like the official SDK's.
    let a = (a & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000;
    let b = (b & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000;
    format!(
        "TM{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xFFFF,
        a & 0xFFFF,
        b >> 48,
        b & 0xFFFF_FFFF_FFFF
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_message_ids_look_like_the_sdks() {
        let id = new_message_id();
        assert_eq!(id.len(), 38, "{id}");
        assert!(id.starts_with("TM"));
        assert_eq!(&id[16..17], "4", "{id}");
        assert_ne!(id, new_message_id());
    }

    #[test]
    fn test_random_unit_is_in_range() {
        for _ in 0..1000 {
            let r = random_unit();
            assert!((0.0..1.0).contains(&r));
        }
    }
}
