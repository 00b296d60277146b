//! The client's one map type (and its set): a `Vec` of entries sorted by key. The widget uses
//! them too, for the same reason: one small instantiation per key and value type.
//!
//! The client's maps hold a handful of entries each (conversations, their sync objects, users,
//! participants, subscriptions, requests in flight). At that size a binary search over a `Vec`
//! is as fast as a tree or a hash table, iteration is in key order (as the `BTreeMap`s it
//! replaces iterated: subscription batches and participant lists stay deterministic), and the
//! code is a fraction of what `BTreeMap` and `HashMap` instantiate per key and value type
//! (issue 15, the shipped wasm's size).

use std::borrow::Borrow;

/// A map kept as a `Vec` sorted by key.
#[derive(Debug, Clone, PartialEq)]
pub struct SortedMap<K, V> {
    entries: Vec<(K, V)>,
}

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        SortedMap { entries: Vec::new() }
    }
}

impl<K: Ord, V> SortedMap<K, V> {
    /// An empty map.
    pub const fn new() -> Self {
        SortedMap { entries: Vec::new() }
    }

    /// Where `key` is (`Ok`), or where it would go (`Err`).
    fn find<Q: Ord + ?Sized>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
    {
        self.entries.binary_search_by(|(k, _)| k.borrow().cmp(key))
    }

    /// The value at `key`.
    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &self.entries[i].1)
    }

    /// The value at `key`, to change.
    pub fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &mut self.entries[i].1)
    }

    /// Whether `key` has a value.
    pub fn contains_key<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.find(key).is_ok()
    }

    /// Sets `key` to `value`; the value it replaces, if any.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    /// Removes `key`; its value, if it had one.
    pub fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| self.entries.remove(i).1)
    }

    /// The value at `key`, inserted first with `make` if there is none.
    pub fn get_or_insert_with(&mut self, key: K, make: impl FnOnce() -> V) -> &mut V {
        let i = match self.find(&key) {
            Ok(i) => i,
            Err(i) => {
                self.entries.insert(i, (key, make()));
                i
            }
        };
        &mut self.entries[i].1
    }

    /// How many entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// The keys, in order.
    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.entries.iter().map(|(k, _)| k)
    }

    /// The values, in key order.
    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.entries.iter().map(|(_, v)| v)
    }

    /// The values, in key order, to change.
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.entries.iter_mut().map(|(_, v)| v)
    }

    /// Keeps the entries for which `keep` says so.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        self.entries.retain_mut(|(k, v)| keep(k, v));
    }

    /// Removes every entry.
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// Removes every entry, in key order.
    pub fn drain(&mut self) -> impl Iterator<Item = (K, V)> + '_ {
        self.entries.drain(..)
    }
}

impl<K: Ord + Borrow<str>, V> std::ops::Index<&str> for SortedMap<K, V> {
    type Output = V;

    /// The value at `key`; panics if there is none, as `BTreeMap`'s index does.
    fn index(&self, key: &str) -> &V {
        self.get(key).expect("no entry for the key")
    }
}

impl<K, V> IntoIterator for SortedMap<K, V> {
    type Item = (K, V);
    type IntoIter = std::vec::IntoIter<(K, V)>;

    /// The entries, in key order (or reversed, `.rev()`).
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<K: Ord, V> FromIterator<(K, V)> for SortedMap<K, V> {
    /// Inserted one by one (a later value for the same key replaces an earlier one, as
    /// `HashMap`'s `collect` does): no sort to instantiate, and the maps are small.
    fn from_iter<I: IntoIterator<Item = (K, V)>>(items: I) -> Self {
        let mut map = SortedMap::new();
        for (key, value) in items {
            map.insert(key, value);
        }
        map
    }
}

/// A set kept as a `Vec` sorted by value.
#[derive(Debug, Clone, PartialEq)]
pub struct SortedSet<K>(SortedMap<K, ()>);

impl<K> Default for SortedSet<K> {
    fn default() -> Self {
        SortedSet(SortedMap::default())
    }
}

impl<K: Ord> SortedSet<K> {
    /// Whether `key` is in the set.
    pub fn contains<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.0.contains_key(key)
    }

    /// Adds `key`; whether it was new.
    pub fn insert(&mut self, key: K) -> bool {
        self.0.insert(key, ()).is_none()
    }

    /// Removes `key`; whether it was there.
    pub fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.0.remove(key).is_some()
    }

    /// Removes every value, in order.
    pub fn drain(&mut self) -> impl Iterator<Item = K> + '_ {
        self.0.drain().map(|(k, ())| k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_a_map_keeps_its_keys_sorted_and_unique() {
        let mut map = SortedMap::new();
        assert_eq!(map.insert("b".to_owned(), 2), None);
        assert_eq!(map.insert("c".to_owned(), 3), None);
        assert_eq!(map.insert("a".to_owned(), 1), None);
        assert_eq!(map.insert("b".to_owned(), 20), Some(2));
        assert_eq!(map.keys().map(String::as_str).collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(map.values().copied().collect::<Vec<_>>(), [1, 20, 3]);
        assert_eq!((map.get("b"), map["c"], map.len()), (Some(&20), 3, 3));
        assert!(map.contains_key("a") && !map.contains_key("z"));
        *map.get_mut("a").unwrap() += 10;
        *map.get_or_insert_with("d".to_owned(), || 0) += 4;
        *map.get_or_insert_with("a".to_owned(), || 0) += 100;
        assert_eq!(map.iter().map(|(_, v)| *v).collect::<Vec<_>>(), [111, 20, 3, 4]);
        assert_eq!(map.remove("b"), Some(20));
        assert_eq!(map.remove("b"), None);
        map.retain(|k, v| {
            *v += 1;
            k != "c"
        });
        assert_eq!(map.drain().collect::<Vec<_>>(), [("a".to_owned(), 112), ("d".to_owned(), 5)]);
        assert_eq!(map.len(), 0);
        assert!(map.is_empty());
    }

    #[test]
    fn test_a_collected_map_is_sorted_and_keeps_the_last_value_of_a_key() {
        let mut map: SortedMap<u64, char> =
            [(3, 'c'), (1, 'a'), (3, 'C'), (2, 'b')].into_iter().collect();
        assert_eq!(
            map.iter().map(|(k, v)| (*k, *v)).collect::<Vec<_>>(),
            [(1, 'a'), (2, 'b'), (3, 'C')]
        );
        assert!(!map.is_empty());
        assert_eq!(map.clone().into_iter().rev().map(|(k, _)| k).collect::<Vec<_>>(), [3, 2, 1]);
        map.clear();
        assert!(map.is_empty() && map.get(&1).is_none());
    }

    #[test]
    fn test_a_set_says_what_changed() {
        let mut set = SortedSet::default();
        assert!(set.insert(5_u64) && set.insert(1) && !set.insert(5));
        assert!(set.contains(&1) && !set.contains(&2));
        assert!(set.remove(&1) && !set.remove(&1));
        assert_eq!(set.drain().collect::<Vec<_>>(), [5]);
    }
}
