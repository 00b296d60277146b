//! The Sync (CDS) store: documents, lists and maps with per-object event logs.
//!
//! Every mutation bumps the object's `last_event_id` to a fresh id from one global counter
//! (strictly increasing per object, as the client requires), stamps the changed item, and
//! appends the event to the object's bounded log. Subscribers are replayed the log past
//! their `last_event_id`; when the log no longer reaches back that far, replay falls back to
//! a diff of the current items (added / updated by their event ids), which loses only
//! removals older than the log.

mod query;

use std::collections::{BTreeMap, HashMap, VecDeque};

use convo_wire::url::path_segment;
use serde_json::{json, Value};

pub(crate) use query::ItemQuery;

use crate::ids::{iso, now_millis, sid};

/// How many events each object keeps for replay.
const LOG_LIMIT: usize = 5_000;

/// The three kinds of Sync object Conversations uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    Document,
    List,
    Map,
}

impl Kind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::Document => "document",
            Kind::List => "list",
            Kind::Map => "map",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Kind> {
        match s {
            "document" => Some(Kind::Document),
            "list" => Some(Kind::List),
            "map" => Some(Kind::Map),
            _ => None,
        }
    }

    fn path(self) -> &'static str {
        match self {
            Kind::Document => "Documents",
            Kind::List => "Lists",
            Kind::Map => "Maps",
        }
    }

    fn sid_prefix(self) -> &'static str {
        match self {
            Kind::Document => "ET",
            Kind::List => "ES",
            Kind::Map => "MP",
        }
    }
}

/// A list index or a map key. Lists sort numerically, maps by code unit (byte) order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Key {
    Index(u64),
    Name(String),
}

impl Key {
    fn to_json(&self) -> Value {
        match self {
            Key::Index(i) => json!(i),
            Key::Name(k) => json!(k),
        }
    }

    fn to_path(&self) -> String {
        match self {
            Key::Index(i) => i.to_string(),
            Key::Name(k) => path_segment(k),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Item {
    pub(crate) data: Value,
    revision: u64,
    pub(crate) last_event_id: u64,
    created_event_id: u64,
    date_updated: u64,
}

/// One entry of an object's event log: the `event` body of the notification.
#[derive(Debug, Clone)]
pub(crate) struct Event {
    pub(crate) id: u64,
    pub(crate) event_type: &'static str,
    pub(crate) body: Value,
}

#[derive(Debug)]
pub(crate) struct Object {
    pub(crate) sid: String,
    pub(crate) kind: Kind,
    pub(crate) unique_name: Option<String>,
    pub(crate) last_event_id: u64,
    revision: u64,
    date_updated: u64,
    pub(crate) data: Value,
    pub(crate) items: BTreeMap<Key, Item>,
    log: VecDeque<Event>,
    /// The oldest event id the log no longer holds (0 = complete).
    log_floor: u64,
}

/// All Sync objects, addressable by SID or unique name.
#[derive(Debug)]
pub(crate) struct SyncStore {
    base_url: String,
    next_event_id: u64,
    objects: HashMap<String, Object>,
    names: HashMap<(Kind, String), String>,
}

impl SyncStore {
    /// A store whose URLs are absolute under `base_url` (`http://127.0.0.1:PORT`).
    pub(crate) fn new(base_url: String) -> Self {
        // Start well above 0 so no client logic can mistake an id for "unset".
        SyncStore { base_url, next_event_id: 100, objects: HashMap::new(), names: HashMap::new() }
    }

    fn fresh_event_id(&mut self) -> u64 {
        self.next_event_id += 1;
        self.next_event_id
    }

    /// Creates an object and returns its SID.
    pub(crate) fn create(
        &mut self,
        kind: Kind,
        unique_name: Option<String>,
        data: Value,
    ) -> String {
        let sid = sid(kind.sid_prefix());
        let last_event_id = self.fresh_event_id();
        if let Some(name) = &unique_name {
            self.names.insert((kind, name.clone()), sid.clone());
        }
        self.objects.insert(
            sid.clone(),
            Object {
                sid: sid.clone(),
                kind,
                unique_name,
                last_event_id,
                revision: 0,
                date_updated: now_millis(),
                data,
                items: BTreeMap::new(),
                log: VecDeque::new(),
                log_floor: 0,
            },
        );
        sid
    }

    /// The SID for a SID or unique name of `kind`.
    pub(crate) fn resolve(&self, kind: Kind, id: &str) -> Option<&str> {
        match self.objects.get(id) {
            Some(object) if object.kind == kind => Some(&object.sid),
            _ => self.names.get(&(kind, id.to_owned())).map(String::as_str),
        }
    }

    pub(crate) fn get(&self, sid: &str) -> Option<&Object> {
        self.objects.get(sid)
    }

    pub(crate) fn object_url(&self, object: &Object) -> String {
        format!("{}/v3/{}/{}", self.base_url, object.kind.path(), object.sid)
    }

    fn item_url(&self, object: &Object, key: &Key) -> String {
        format!("{}/Items/{}", self.object_url(object), key.to_path())
    }

    /// The descriptor `GET /v3/{Kind}/{id}` returns.
    pub(crate) fn descriptor(&self, object: &Object, include_items: bool) -> Value {
        let url = self.object_url(object);
        let mut d = json!({
            "sid": object.sid,
            "unique_name": object.unique_name,
            "url": url,
            "revision": format!("{:x}", object.revision),
            "last_event_id": object.last_event_id,
            "date_updated": iso(object.date_updated),
            "date_expires": null,
        });
        match object.kind {
            Kind::Document => d["data"] = object.data.clone(),
            Kind::List => {
                d["links"] =
                    json!({ "items": format!("{url}/Items"), "context": format!("{url}/Context") })
            }
            Kind::Map => {
                d["links"] = json!({ "items": format!("{url}/Items") });
                if include_items {
                    d["items"] = object
                        .items
                        .iter()
                        .map(|(k, item)| self.item_json(object, k, item))
                        .collect();
                }
            }
        }
        d
    }

    pub(crate) fn item_json(&self, object: &Object, key: &Key, item: &Item) -> Value {
        let key_field = if object.kind == Kind::List { "index" } else { "key" };
        json!({
            key_field: key.to_json(),
            "url": self.item_url(object, key),
            "revision": format!("{:x}", item.revision),
            "last_event_id": item.last_event_id,
            "data": item.data,
            "date_updated": iso(item.date_updated),
            "date_expires": null,
        })
    }

    /// Replaces a document's data. Returns the event to publish.
    pub(crate) fn document_set(&mut self, sid: &str, data: Value) -> Option<Event> {
        let id = self.fresh_event_id();
        let object = self.objects.get_mut(sid)?;
        object.data = data.clone();
        let body = json!({
            "document_sid": object.sid,
            "id": id,
            "document_revision": "",
            "document_data": data,
            "date_created": "",
            "document_unique_name": object.unique_name,
        });
        Some(object.record(id, "document_updated", body))
    }

    /// Adds or replaces an item. Returns the event to publish.
    pub(crate) fn item_set(&mut self, sid: &str, key: Key, data: Value) -> Option<Event> {
        let id = self.fresh_event_id();
        let base = self.base_url.clone();
        let object = self.objects.get_mut(sid)?;
        let now = now_millis();
        let (added, revision) = match object.items.get_mut(&key) {
            Some(item) => {
                item.data = data.clone();
                item.revision += 1;
                item.last_event_id = id;
                item.date_updated = now;
                (false, item.revision)
            }
            None => {
                object.items.insert(
                    key.clone(),
                    Item {
                        data: data.clone(),
                        revision: 0,
                        last_event_id: id,
                        created_event_id: id,
                        date_updated: now,
                    },
                );
                (true, 0)
            }
        };
        let event_type = match (object.kind, added) {
            (Kind::List, true) => "list_item_added",
            (Kind::List, false) => "list_item_updated",
            (_, true) => "map_item_added",
            (_, false) => "map_item_updated",
        };
        let body = item_event_body(&base, object, &key, id, Some(revision), &data);
        Some(object.record(id, event_type, body))
    }

    /// Removes an item. Returns the event to publish (with the previous data).
    pub(crate) fn item_remove(&mut self, sid: &str, key: &Key) -> Option<Event> {
        let id = self.fresh_event_id();
        let base = self.base_url.clone();
        let object = self.objects.get_mut(sid)?;
        let previous = object.items.remove(key)?;
        let event_type =
            if object.kind == Kind::List { "list_item_removed" } else { "map_item_removed" };
        let body = item_event_body(&base, object, key, id, None, &previous.data);
        Some(object.record(id, event_type, body))
    }

    /// Deletes an object. Returns the `*_removed` event to publish.
    pub(crate) fn remove(&mut self, sid: &str) -> Option<Event> {
        let id = self.fresh_event_id();
        let object = self.objects.remove(sid)?;
        if let Some(name) = &object.unique_name {
            self.names.remove(&(object.kind, name.clone()));
        }
        let (event_type, field) = match object.kind {
            Kind::Document => ("document_removed", "document_sid"),
            Kind::List => ("list_removed", "list_sid"),
            Kind::Map => ("map_removed", "map_sid"),
        };
        Some(Event {
            id,
            event_type,
            body: json!({ field: object.sid, "id": id, "date_created": iso(now_millis()) }),
        })
    }

    /// The events a subscriber that holds `since` must be sent to catch up, in id order.
    pub(crate) fn replay(&self, sid: &str, since: u64) -> Vec<Event> {
        let Some(object) = self.objects.get(sid) else { return Vec::new() };
        if since >= object.last_event_id {
            return Vec::new();
        }
        if since >= object.log_floor {
            return object.log.iter().filter(|e| e.id > since).cloned().collect();
        }
        // The log has been trimmed past `since`: send the current state instead.
        match object.kind {
            Kind::Document => object.log.back().cloned().into_iter().collect(),
            Kind::List | Kind::Map => {
                let mut events: Vec<Event> = object
                    .items
                    .iter()
                    .filter(|(_, item)| item.last_event_id > since)
                    .map(|(key, item)| {
                        let added = item.created_event_id > since;
                        let event_type = match (object.kind, added) {
                            (Kind::List, true) => "list_item_added",
                            (Kind::List, false) => "list_item_updated",
                            (_, true) => "map_item_added",
                            (_, false) => "map_item_updated",
                        };
                        let body = item_event_body(
                            &self.base_url,
                            object,
                            key,
                            item.last_event_id,
                            Some(item.revision),
                            &item.data,
                        );
                        Event { id: item.last_event_id, event_type, body }
                    })
                    .collect();
                events.sort_by_key(|e| e.id);
                events
            }
        }
    }
}

impl Object {
    /// Applies the bookkeeping every event shares and logs it.
    fn record(&mut self, id: u64, event_type: &'static str, mut body: Value) -> Event {
        self.last_event_id = id;
        self.revision += 1;
        self.date_updated = now_millis();
        let revision = format!("{:x}", self.revision);
        let date = iso(self.date_updated);
        match self.kind {
            Kind::Document => body["document_revision"] = json!(revision),
            Kind::List => body["list_revision"] = json!(revision),
            Kind::Map => body["map_revision"] = json!(revision),
        }
        body["date_created"] = json!(date);
        let event = Event { id, event_type, body };
        if self.log.len() == LOG_LIMIT {
            if let Some(dropped) = self.log.pop_front() {
                self.log_floor = dropped.id;
            }
        }
        self.log.push_back(event.clone());
        event
    }
}

fn item_event_body(
    base: &str,
    object: &Object,
    key: &Key,
    id: u64,
    revision: Option<u64>,
    data: &Value,
) -> Value {
    let url = format!("{base}/v3/{}/{}/Items/{}", object.kind.path(), object.sid, key.to_path());
    let mut body = match object.kind {
        Kind::List => json!({ "list_sid": object.sid, "item_index": key.to_json() }),
        _ => json!({ "map_sid": object.sid, "item_key": key.to_json() }),
    };
    body["id"] = json!(id);
    body["item_data"] = data.clone();
    body["item_url"] = json!(url);
    if let Some(revision) = revision {
        body["item_revision"] = json!(format!("{revision:x}"));
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_event_ids_grow_and_replay_returns_what_was_missed_in_order() {
        let mut store = SyncStore::new("http://x".to_owned());
        let list = store.create(Kind::List, None, Value::Null);
        let start = store.get(&list).unwrap().last_event_id;
        let ids: Vec<u64> =
            (0..5).map(|i| store.item_set(&list, Key::Index(i), json!(i)).unwrap().id).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        store.item_set(&list, Key::Index(1), json!("edited"));
        store.item_remove(&list, &Key::Index(2));
        let replay = store.replay(&list, ids[2]);
        let types: Vec<&str> = replay.iter().map(|e| e.event_type).collect();
        assert_eq!(
            types,
            ["list_item_added", "list_item_added", "list_item_updated", "list_item_removed"]
        );
        assert_eq!(replay[3].body["item_data"], json!(2), "removal carries the previous data");
        assert_eq!(store.replay(&list, start).len(), 7);
        assert!(store.replay(&list, store.get(&list).unwrap().last_event_id).is_empty());
    }

    #[test]
    fn test_replay_past_a_trimmed_log_sends_current_items_as_added_or_updated() {
        let mut store = SyncStore::new("http://x".to_owned());
        let map = store.create(Kind::Map, None, Value::Null);
        let before = store.item_set(&map, Key::Name("old".into()), json!(1)).unwrap().id;
        for i in 0..LOG_LIMIT as u64 {
            store.item_set(&map, Key::Name("busy".into()), json!(i));
        }
        store.item_set(&map, Key::Name("new".into()), json!(2));
        let replay = store.replay(&map, before);
        let summary: Vec<(&str, Value)> =
            replay.iter().map(|e| (e.event_type, e.body["item_key"].clone())).collect();
        assert_eq!(summary, [("map_item_added", json!("busy")), ("map_item_added", json!("new"))]);
        assert_eq!(replay[0].body["item_data"], json!(LOG_LIMIT as u64 - 1));
    }

    #[test]
    fn test_objects_resolve_by_sid_or_unique_name_of_their_kind() {
        let mut store = SyncStore::new("http://x".to_owned());
        let doc = store.create(Kind::Document, Some("CH1.channel".into()), json!({}));
        assert_eq!(store.resolve(Kind::Document, "CH1.channel"), Some(doc.as_str()));
        assert_eq!(store.resolve(Kind::Document, &doc), Some(doc.as_str()));
        assert_eq!(store.resolve(Kind::Map, &doc), None);
        store.remove(&doc);
        assert_eq!(store.resolve(Kind::Document, "CH1.channel"), None);
    }
}
