//! A value that can be read now and watched for changes, on both targets and without a
//! runtime: the browser has no tokio, and the UI only needs "the latest value" semantics.

use std::{
    pin::Pin,
    sync::{Arc, Mutex, MutexGuard},
    task::{Context, Poll, Waker},
};

use futures_util::Stream;

#[derive(Debug)]
struct Shared<T> {
    value: T,
    version: u64,
    wakers: Vec<Waker>,
}

/// A shared value whose changes can be subscribed to. Clones share the value.
#[derive(Debug)]
pub struct Observable<T> {
    shared: Arc<Mutex<Shared<T>>>,
}

impl<T> Clone for Observable<T> {
    fn clone(&self) -> Self {
        Observable { shared: Arc::clone(&self.shared) }
    }
}

impl<T: Clone + Default> Default for Observable<T> {
    fn default() -> Self {
        Observable::new(T::default())
    }
}

impl<T: Clone> Observable<T> {
    /// An observable holding `value`.
    pub fn new(value: T) -> Self {
        Observable {
            shared: Arc::new(Mutex::new(Shared { value, version: 0, wakers: Vec::new() })),
        }
    }

    /// The current value.
    pub fn get(&self) -> T {
        self.lock().value.clone()
    }

    /// Replaces the value and wakes every subscriber.
    pub fn set(&self, value: T) {
        let wakers = {
            let mut shared = self.lock();
            shared.value = value;
            shared.version += 1;
            std::mem::take(&mut shared.wakers)
        };
        wakers.into_iter().for_each(Waker::wake);
    }

    /// A stream that yields the current value at once, then the latest value after each
    /// change. A slow reader skips intermediate values; it never sees a stale one last.
    pub fn subscribe(&self) -> Subscriber<T> {
        Subscriber { shared: Arc::clone(&self.shared), seen: None }
    }

    fn lock(&self) -> MutexGuard<'_, Shared<T>> {
        lock(&self.shared)
    }
}

fn lock<T>(shared: &Mutex<Shared<T>>) -> MutexGuard<'_, Shared<T>> {
    // The guarded data is a plain value; a panic elsewhere cannot leave it half-written.
    shared.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The stream returned by [`Observable::subscribe`].
#[derive(Debug)]
pub struct Subscriber<T> {
    shared: Arc<Mutex<Shared<T>>>,
    seen: Option<u64>,
}

impl<T: Clone> Stream for Subscriber<T> {
    type Item = T;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let this = self.get_mut();
        let mut shared = lock(&this.shared);
        if this.seen != Some(shared.version) {
            this.seen = Some(shared.version);
            return Poll::Ready(Some(shared.value.clone()));
        }
        if !shared.wakers.iter().any(|w| w.will_wake(cx.waker())) {
            shared.wakers.push(cx.waker().clone());
        }
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use futures_util::{FutureExt, StreamExt};

    use super::*;

    #[test]
    fn test_subscriber_sees_current_then_latest() {
        let o = Observable::new(1);
        let mut s = o.subscribe();
        assert_eq!(s.next().now_or_never(), Some(Some(1)));
        assert_eq!(s.next().now_or_never(), None, "no change yet");
        o.set(2);
        o.set(3);
        assert_eq!(s.next().now_or_never(), Some(Some(3)), "latest wins");
        assert_eq!(o.get(), 3);
    }
}
