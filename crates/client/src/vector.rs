//! A list that can be read whole and watched as a stream of changes: what a UI needs to keep
//! a long timeline in step without re-rendering it on every message.
//!
//! Modelled on `eyeball-im`'s `ObservableVector` (as matrix-rust-sdk's timeline uses it): each
//! change is one [`VectorDiff`], and a page of older items arrives as one
//! [`VectorDiff::PushFront`], not as a run of single inserts at the front.

use std::sync::{Arc, Mutex, MutexGuard};

use futures_channel::mpsc;

/// One change to an [`ObservableVector`].
#[derive(Debug, Clone, PartialEq)]
pub enum VectorDiff<T> {
    /// `value` was inserted at `index`.
    Insert {
        /// Position after the insertion.
        index: usize,
        /// The new element.
        value: T,
    },
    /// The element at `index` was replaced.
    Set {
        /// Position.
        index: usize,
        /// The new element.
        value: T,
    },
    /// The element at `index` was removed.
    Remove {
        /// Position before the removal.
        index: usize,
    },
    /// `values` were put in front of the list, in this order (a page of older items).
    PushFront {
        /// The new first elements.
        values: Vec<T>,
    },
    /// Everything was replaced.
    Reset {
        /// The new contents.
        values: Vec<T>,
    },
}

impl<T: Clone> VectorDiff<T> {
    /// Applies the change to a copy of the list.
    pub fn apply(self, list: &mut Vec<T>) {
        match self {
            VectorDiff::Insert { index, value } => list.insert(index.min(list.len()), value),
            VectorDiff::Set { index, value } => {
                if let Some(slot) = list.get_mut(index) {
                    *slot = value;
                }
            }
            VectorDiff::Remove { index } => {
                if index < list.len() {
                    list.remove(index);
                }
            }
            VectorDiff::PushFront { values } => {
                list.splice(0..0, values);
            }
            VectorDiff::Reset { values } => *list = values,
        }
    }
}

#[derive(Debug)]
struct Shared<T> {
    values: Vec<T>,
    subscribers: Vec<mpsc::UnboundedSender<VectorDiff<T>>>,
}

/// A shared list with change notifications. Clones share the list. Elements are cloned for
/// every subscriber, so make them cheap to clone (`Arc`s).
#[derive(Debug)]
pub struct ObservableVector<T> {
    shared: Arc<Mutex<Shared<T>>>,
}

impl<T> Clone for ObservableVector<T> {
    fn clone(&self) -> Self {
        ObservableVector { shared: Arc::clone(&self.shared) }
    }
}

impl<T: Clone> Default for ObservableVector<T> {
    fn default() -> Self {
        ObservableVector {
            shared: Arc::new(Mutex::new(Shared { values: Vec::new(), subscribers: Vec::new() })),
        }
    }
}

impl<T: Clone> ObservableVector<T> {
    /// An empty list.
    pub fn new() -> Self {
        Self::default()
    }

    /// The current contents and a stream of every later change, atomically: no change falls
    /// between the snapshot and the stream.
    pub fn subscribe(&self) -> (Vec<T>, mpsc::UnboundedReceiver<VectorDiff<T>>) {
        let mut shared = self.lock();
        let (sender, receiver) = mpsc::unbounded();
        shared.subscribers.push(sender);
        (shared.values.clone(), receiver)
    }

    /// The current contents.
    pub fn get(&self) -> Vec<T> {
        self.lock().values.clone()
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        self.lock().values.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.lock().values.is_empty()
    }

    pub(crate) fn insert(&self, index: usize, value: T) {
        let mut shared = self.lock();
        let index = index.min(shared.values.len());
        shared.values.insert(index, value.clone());
        broadcast(&mut shared, VectorDiff::Insert { index, value });
    }

    pub(crate) fn set(&self, index: usize, value: T) {
        let mut shared = self.lock();
        if let Some(slot) = shared.values.get_mut(index) {
            *slot = value.clone();
            broadcast(&mut shared, VectorDiff::Set { index, value });
        }
    }

    pub(crate) fn remove(&self, index: usize) {
        let mut shared = self.lock();
        if index < shared.values.len() {
            shared.values.remove(index);
            broadcast(&mut shared, VectorDiff::Remove { index });
        }
    }

    pub(crate) fn push_front(&self, values: Vec<T>) {
        if values.is_empty() {
            return;
        }
        let mut shared = self.lock();
        shared.values.splice(0..0, values.iter().cloned());
        broadcast(&mut shared, VectorDiff::PushFront { values });
    }

    pub(crate) fn reset(&self, values: Vec<T>) {
        let mut shared = self.lock();
        shared.values.clone_from(&values);
        broadcast(&mut shared, VectorDiff::Reset { values });
    }

    /// Reads the list without copying it.
    pub(crate) fn with<R>(&self, f: impl FnOnce(&[T]) -> R) -> R {
        f(&self.lock().values)
    }

    fn lock(&self) -> MutexGuard<'_, Shared<T>> {
        self.shared.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn broadcast<T: Clone>(shared: &mut Shared<T>, diff: VectorDiff<T>) {
    // Subscribers that went away are dropped here.
    shared.subscribers.retain(|s| s.unbounded_send(diff.clone()).is_ok());
}

#[cfg(test)]
mod tests {
    use futures_util::{FutureExt, StreamExt};

    use super::*;

    #[test]
    fn test_snapshot_plus_diffs_reproduce_the_list() {
        let list = ObservableVector::new();
        list.insert(0, 'b');
        let (mut copy, mut diffs) = list.subscribe();
        list.insert(0, 'a');
        list.insert(2, 'c');
        list.set(1, 'B');
        list.remove(0);
        list.remove(9);
        list.push_front(vec!['x', 'y']);
        list.push_front(Vec::new());
        drop(list.clone());
        for _ in 0..5 {
            diffs.next().now_or_never().flatten().unwrap().apply(&mut copy);
        }
        assert!(diffs.next().now_or_never().is_none(), "no more changes");
        assert_eq!(copy, list.get());
        assert_eq!(copy, vec!['x', 'y', 'B', 'c']);
        list.reset(vec!['z']);
        diffs.next().now_or_never().flatten().unwrap().apply(&mut copy);
        assert_eq!(copy, vec!['z']);
    }
}
