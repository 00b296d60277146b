//! Request/reply bookkeeping, pure so it is tested on an injected clock: which requests wait
//! for a reply, until when, and how a URL becomes a tunnelled request.

use crate::sorted::SortedMap;

use serde_json::{Map, Value};

use crate::Error;

/// Requests in flight, by id, each with a deadline (Unix ms).
#[derive(Debug)]
pub(crate) struct Pending<T> {
    entries: SortedMap<String, (u64, T)>,
}

impl<T> Default for Pending<T> {
    fn default() -> Self {
        Pending { entries: SortedMap::new() }
    }
}

impl<T> Pending<T> {
    pub(crate) fn insert(&mut self, id: String, deadline: u64, value: T) {
        self.entries.insert(id, (deadline, value));
    }

    /// The request answered by a reply with this id.
    pub(crate) fn take(&mut self, id: &str) -> Option<T> {
        self.entries.remove(id).map(|(_, value)| value)
    }

    /// Removes and returns the requests whose deadline is at or before `now`.
    pub(crate) fn expired(&mut self, now: u64) -> Vec<T> {
        let ids: Vec<String> =
            self.entries.iter().filter(|(_, (d, _))| *d <= now).map(|(id, _)| id.clone()).collect();
        ids.into_iter().filter_map(|id| self.take(&id)).collect()
    }

    /// Removes and returns everything (the connection is gone).
    pub(crate) fn drain(&mut self) -> Vec<T> {
        self.entries.drain().map(|(_, (_, value))| value).collect()
    }

    /// The earliest deadline.
    pub(crate) fn next_deadline(&self) -> Option<u64> {
        self.entries.values().map(|(d, _)| *d).min()
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

/// The parts of an absolute URL a tunnelled request carries: `host` (with port), the
/// still-encoded `path`, and the query as raw (not decoded) `params`, a repeated key becoming
/// an array — exactly as the official client splits it.
pub(crate) fn split_url(url: &str) -> Result<(String, String, Map<String, Value>), Error> {
    let bad = || Error::Network(format!("not an absolute http(s) URL: {url}"));
    let rest =
        url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")).ok_or_else(bad)?;
    let (authority, path_and_query) = rest.split_once('/').ok_or_else(bad)?;
    if authority.is_empty() {
        return Err(bad());
    }
    let (path, query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
    let mut params = Map::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match params.get_mut(key) {
            None => {
                params.insert(key.to_owned(), Value::from(value));
            }
            Some(Value::Array(values)) => values.push(Value::from(value)),
            Some(existing) => *existing = Value::Array(vec![existing.take(), Value::from(value)]),
        }
    }
    Ok((authority.to_owned(), format!("/{path}"), params))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn test_deadlines_expire_in_order_without_sleeping() {
        let mut pending = Pending::default();
        pending.insert("a".into(), 1_000, 'a');
        pending.insert("b".into(), 2_000, 'b');
        pending.insert("c".into(), 3_000, 'c');
        assert_eq!(pending.next_deadline(), Some(1_000));
        assert!(pending.expired(999).is_empty());
        assert_eq!(pending.expired(2_000).len(), 2);
        assert_eq!(pending.take("c"), Some('c'));
        assert_eq!(pending.take("c"), None, "a reply is consumed once");
        assert_eq!(pending.len(), 0);
    }

    #[test]
    fn test_urls_split_like_the_official_client() {
        let (host, path, params) = split_url(
            "https://cds.us1.twilio.com/v3/Maps/MP1/Items?HideExpired=true&Key=a%2Fb&K=1&K=2",
        )
        .unwrap();
        assert_eq!(host, "cds.us1.twilio.com");
        assert_eq!(path, "/v3/Maps/MP1/Items");
        assert_eq!(
            Value::Object(params),
            json!({ "HideExpired": "true", "Key": "a%2Fb", "K": ["1", "2"] })
        );
        let (host, path, params) =
            split_url("http://127.0.0.1:8788/Client/v2/Configuration").unwrap();
        assert_eq!(
            (host.as_str(), path.as_str(), params.len()),
            ("127.0.0.1:8788", "/Client/v2/Configuration", 0)
        );
        for bad in ["ftp://x/y", "http://", "http://host", "relative/path"] {
            assert!(split_url(bad).is_err(), "{bad}");
        }
    }
}
