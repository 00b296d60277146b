//! The Sync subscription manager: which objects the client wants live events for, batched
//! establish requests with correlation ids, a watchdog that re-asks when the establishment
//! notification does not come, and a full re-establish (with each object's last event id, so
//! the server replays what was missed) after every reconnect. Pure: the engine does the I/O.

use crate::sorted::SortedMap;

use convo_wire::object;
use serde_json::Value;

/// The most objects one request asks for, until the server says otherwise.
const DEFAULT_BATCH: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    /// Wanted, not asked for on this connection yet.
    Wanted,
    /// Asked for in the request with this correlation id.
    Pending(u64),
    /// Live events flow.
    Established,
}

#[derive(Debug, Clone)]
struct Intent {
    kind: &'static str,
    last_event_id: u64,
    status: Status,
}

/// Subscription intents and their state on the current connection.
#[derive(Debug)]
pub(crate) struct Subscriptions {
    intents: SortedMap<String, Intent>,
    max_batch: usize,
    last_correlation: u64,
}

impl Default for Subscriptions {
    fn default() -> Self {
        Subscriptions { intents: SortedMap::new(), max_batch: DEFAULT_BATCH, last_correlation: 0 }
    }
}

impl Subscriptions {
    /// Wants live events for `sid` (a `document`, `list` or `map`) from `last_event_id` on.
    pub(crate) fn want(&mut self, sid: &str, kind: &'static str, last_event_id: u64) {
        self.intents.get_or_insert_with(sid.to_owned(), || Intent {
            kind,
            last_event_id,
            status: Status::Wanted,
        });
    }

    /// Stops wanting `sid`; returns the cancel request body if it was established.
    pub(crate) fn forget(&mut self, sid: &str, correlation_now: u64) -> Option<Value> {
        let intent = self.intents.remove(sid)?;
        (intent.status == Status::Established).then(|| {
            let correlation = self.correlation(correlation_now);
            object! {
                "event_protocol_version": 4,
                "action": "cancel",
                "correlation_id": correlation,
                "retried_requests": 0,
                "ttl_in_s": -1,
                "requests": vec![object! { "object_sid": sid, "object_type": intent.kind }],
            }
        })
    }

    #[cfg(test)]
    pub(crate) fn contains(&self, sid: &str) -> bool {
        self.intents.contains_key(sid)
    }

    /// The next establish request, if anything is waiting: `(correlation id, body)`.
    /// `now` (Unix ms) seeds the correlation id, which only ever grows.
    pub(crate) fn next_batch(&mut self, now: u64) -> Option<(u64, Value)> {
        let batch: Vec<String> = self
            .intents
            .iter()
            .filter(|(_, i)| i.status == Status::Wanted)
            .map(|(sid, _)| sid.clone())
            .take(self.max_batch)
            .collect();
        if batch.is_empty() {
            return None;
        }
        let correlation = self.correlation(now);
        let requests: Vec<Value> = batch
            .iter()
            .map(|sid| {
                let intent = self.intents.get_mut(sid).expect("collected above");
                intent.status = Status::Pending(correlation);
                object! { "object_sid": sid.as_str(), "object_type": intent.kind, "last_event_id": intent.last_event_id }
            })
            .collect();
        let body = object! {
            "event_protocol_version": 4,
            "action": "establish",
            "correlation_id": correlation,
            "retried_requests": 0,
            "ttl_in_s": -1,
            "requests": requests,
        };
        Some((correlation, body))
    }

    fn correlation(&mut self, now: u64) -> u64 {
        self.last_correlation = now.max(self.last_correlation + 1);
        self.last_correlation
    }

    /// The server's reply may lower the batch size.
    pub(crate) fn set_max_batch(&mut self, max: usize) {
        if max > 0 {
            self.max_batch = max;
        }
    }

    /// `subscription_established` for `sid` in the request `correlation`. Late messages (for
    /// an older request) are dropped.
    pub(crate) fn established(&mut self, correlation: u64, sid: &str, last_event_id: Option<u64>) {
        if let Some(intent) = self.intents.get_mut(sid) {
            if intent.status == Status::Pending(correlation) {
                intent.status = Status::Established;
                if let Some(id) = last_event_id {
                    intent.last_event_id = intent.last_event_id.max(id);
                }
            }
        }
    }

    /// `subscription_failed` for `sid`: ask again in the next batch.
    pub(crate) fn failed(&mut self, correlation: u64, sid: &str) {
        if let Some(intent) = self.intents.get_mut(sid) {
            if intent.status == Status::Pending(correlation) {
                intent.status = Status::Wanted;
            }
        }
    }

    /// The request `correlation` failed or its notifications never came: everything still
    /// pending in it is wanted again. Returns whether anything was.
    pub(crate) fn retry(&mut self, correlation: u64) -> bool {
        let mut any = false;
        for intent in self.intents.values_mut() {
            if intent.status == Status::Pending(correlation) {
                intent.status = Status::Wanted;
                any = true;
            }
        }
        any
    }

    /// The connection was lost: every subscription must be established again.
    pub(crate) fn disconnected(&mut self) {
        for intent in self.intents.values_mut() {
            intent.status = Status::Wanted;
        }
    }

    /// An event was applied to `sid`. The object's position only moves on events that are
    /// strictly ordered: replayed ones, or any once the subscription is established.
    pub(crate) fn advance(&mut self, sid: &str, event_id: u64, strictly_ordered: bool) {
        if let Some(intent) = self.intents.get_mut(sid) {
            if strictly_ordered || intent.status == Status::Established {
                intent.last_event_id = intent.last_event_id.max(event_id);
            }
        }
    }

    #[cfg(test)]
    pub(crate) fn is_established(&self, sid: &str) -> bool {
        self.intents.get(sid).is_some_and(|i| i.status == Status::Established)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn test_batches_carry_last_event_ids_and_growing_correlations() {
        let mut subs = Subscriptions::default();
        subs.want("MP1", "map", 5);
        subs.want("ES1", "list", 41);
        let (first, body) = subs.next_batch(1_000).unwrap();
        assert_eq!(first, 1_000);
        assert_eq!(body["action"], "establish");
        assert_eq!(body["requests"].as_array().unwrap().len(), 2);
        assert_eq!(
            body["requests"][0],
            json!({ "object_sid": "ES1", "object_type": "list", "last_event_id": 41 })
        );
        assert!(subs.next_batch(1_000).is_none(), "nothing else is waiting");
        subs.want("ET1", "document", 1);
        let (second, _) = subs.next_batch(900).unwrap();
        assert!(second > first, "a clock step back never repeats a correlation id");
    }

    #[test]
    fn test_late_or_foreign_notifications_are_ignored_and_the_watchdog_re_asks() {
        let mut subs = Subscriptions::default();
        subs.want("ES1", "list", 1);
        let (first, _) = subs.next_batch(10).unwrap();
        assert!(subs.retry(first), "no notification came");
        let (second, _) = subs.next_batch(11).unwrap();
        subs.established(first, "ES1", Some(9));
        assert!(!subs.is_established("ES1"), "a late establishment for the old request is dropped");
        subs.established(second, "ES1", Some(9));
        assert!(subs.is_established("ES1"));
        assert!(!subs.retry(second), "nothing pending any more");
    }

    #[test]
    fn test_reconnect_re_establishes_everything_from_the_latest_event() {
        let mut subs = Subscriptions::default();
        subs.want("ES1", "list", 1);
        let (c, _) = subs.next_batch(10).unwrap();
        subs.established(c, "ES1", Some(3));
        subs.advance("ES1", 7, false);
        subs.disconnected();
        subs.advance("ES1", 8, false);
        let (_, body) = subs.next_batch(20).unwrap();
        assert_eq!(
            body["requests"][0]["last_event_id"], 7,
            "live events while down do not move the position"
        );
        subs.advance("ES1", 9, true);
        subs.disconnected();
        assert_eq!(
            subs.next_batch(30).unwrap().1["requests"][0]["last_event_id"],
            9,
            "replayed events do"
        );
    }

    #[test]
    fn test_forgetting_an_established_object_cancels_it() {
        let mut subs = Subscriptions::default();
        subs.want("ES1", "list", 1);
        subs.want("ES2", "list", 1);
        subs.set_max_batch(1);
        let (c, body) = subs.next_batch(10).unwrap();
        assert_eq!(
            body["requests"].as_array().unwrap().len(),
            1,
            "batches respect the server's size"
        );
        subs.established(c, "ES1", None);
        let cancel = subs.forget("ES1", 20).unwrap();
        assert_eq!(cancel["action"], "cancel");
        assert_eq!(cancel["requests"][0], json!({ "object_sid": "ES1", "object_type": "list" }));
        assert!(subs.forget("ES2", 30).is_none(), "never established: nothing to cancel");
        assert!(!subs.contains("ES1"));
    }
}
