//! Idle keep-alive connections outlive the header-read timeout.
//!
//! hyper starts its `header_read_timeout` as soon as a connection waits for its next request, so
//! with it alone an idle keep-alive connection is closed after the same 10 s a slow-loris client
//! gets. A client or reverse proxy that pools connections for longer (reqwest and so Trunk's
//! proxy keep them 90 s; nginx's upstream keep-alive and AWS load balancers 60 s) now and then
//! sends its next request just as the server closes the connection, and answers its own caller
//! with a 502. The usual rule is that the server must keep idle connections longer than the
//! clients in front of it do.
//!
//! So the timer given to hyper here starts the header-read clock at the request's first byte,
//! and until then lets the connection idle for `idle_timeout`. It learns of that byte from
//! [`CountingStream`], which counts the reads that brought data.

use std::{
    future::Future,
    pin::Pin,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    task::{Context, Poll},
    time::{Duration, Instant},
};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A stream that counts the reads that brought data, for [`RequestTimer`].
pub(super) struct CountingStream<S> {
    inner: S,
    reads: Arc<AtomicU64>,
}

impl<S> CountingStream<S> {
    /// Wraps `inner`; the timer for its connection is [`RequestTimer::new`] of the second value.
    pub(super) fn new(inner: S) -> (Self, Arc<AtomicU64>) {
        let reads = Arc::new(AtomicU64::new(0));
        (CountingStream { inner, reads: reads.clone() }, reads)
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for CountingStream<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(result, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.reads.fetch_add(1, Ordering::Relaxed);
        }
        result
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for CountingStream<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// hyper's timer for one connection. hyper uses its HTTP/1 server's timer only for the
/// header-read timeout, which is what makes this substitution sound.
#[derive(Clone)]
pub(super) struct RequestTimer {
    reads: Arc<AtomicU64>,
    idle_timeout: Duration,
}

impl RequestTimer {
    pub(super) fn new(reads: Arc<AtomicU64>, idle_timeout: Duration) -> Self {
        RequestTimer { reads, idle_timeout }
    }
}

impl hyper::rt::Timer for RequestTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        self.sleep_until(Instant::now() + duration)
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        let now = Instant::now();
        Box::pin(HeaderDeadline {
            reads: self.reads.clone(),
            reads_when_armed: self.reads.load(Ordering::Relaxed),
            header_timeout: deadline.saturating_duration_since(now),
            request_started: false,
            sleep: Box::pin(tokio::time::sleep_until((now + self.idle_timeout).into())),
        })
    }
}

/// Fires `idle_timeout` after it was armed if no byte has come since, else `header_timeout`
/// after hyper first polled it with a byte in (hyper polls it right after each read).
struct HeaderDeadline {
    reads: Arc<AtomicU64>,
    reads_when_armed: u64,
    header_timeout: Duration,
    request_started: bool,
    sleep: Pin<Box<tokio::time::Sleep>>,
}

impl Future for HeaderDeadline {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if !self.request_started && self.reads.load(Ordering::Relaxed) != self.reads_when_armed {
            self.request_started = true;
            let deadline = tokio::time::Instant::now() + self.header_timeout;
            self.sleep.as_mut().reset(deadline);
        }
        self.sleep.as_mut().poll(cx)
    }
}

impl hyper::rt::Sleep for HeaderDeadline {}
