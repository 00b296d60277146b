//! Item queries on lists and maps: `Index`/`Key` lookups and `From`/`Order`/`PageSize` pages
//! with the `previous_token`/`next_token` the client reads as "more items before/after".

use std::ops::Bound;

use serde_json::{json, Value};

use super::{Key, Kind, Object, SyncStore};

/// Direction of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Order {
    Asc,
    Desc,
}

/// A parsed item query.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ItemQuery {
    /// `Index=n` / `Key=k`: zero or one item, HTTP 200 either way.
    One(Key),
    /// A page starting at `from` (inclusive) in `order`.
    Page { from: Option<Key>, order: Order, page_size: usize },
}

/// The page size when none is given, and the most one page returns.
const DEFAULT_PAGE_SIZE: usize = 50;
const MAX_PAGE_SIZE: usize = 1000;

impl ItemQuery {
    /// Parses the query parameters for an object of `kind`. `param` looks a parameter up.
    pub(crate) fn parse(
        kind: Kind,
        param: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, String> {
        let key = |value: String| -> Result<Key, String> {
            match kind {
                Kind::List => {
                    value.parse().map(Key::Index).map_err(|_| format!("not a list index: {value}"))
                }
                _ => Ok(Key::Name(value)),
            }
        };
        let page_size = match param("PageSize") {
            None => DEFAULT_PAGE_SIZE,
            Some(n) => match n.parse::<usize>() {
                Ok(n) if (1..=MAX_PAGE_SIZE).contains(&n) => n,
                _ => return Err(format!("PageSize must be between 1 and {MAX_PAGE_SIZE}")),
            },
        };
        if let Some(token) = param("PageToken").filter(|t| !t.is_empty()) {
            let (from, order) = decode_token(kind, &token)?;
            return Ok(ItemQuery::Page { from: Some(from), order, page_size });
        }
        if let Some(index) = param("Index").or_else(|| param("Key")) {
            return Ok(ItemQuery::One(key(index)?));
        }
        let order = match param("Order").as_deref() {
            None | Some("asc") => Order::Asc,
            Some("desc") => Order::Desc,
            Some(other) => return Err(format!("Order must be asc or desc, not {other}")),
        };
        let from = param("From").map(key).transpose()?;
        Ok(ItemQuery::Page { from, order, page_size })
    }
}

impl SyncStore {
    /// Runs `query` on `object`: `{items, meta: {previous_token, next_token}}`.
    pub(crate) fn query(&self, object: &Object, query: &ItemQuery) -> Value {
        let (keys, previous, next): (Vec<&Key>, Option<String>, Option<String>) = match query {
            ItemQuery::One(key) => {
                (object.items.get_key_value(key).map(|(k, _)| k).into_iter().collect(), None, None)
            }
            ItemQuery::Page { from, order, page_size } => {
                let mut run: Vec<&Key> = match (order, from) {
                    (Order::Asc, Some(f)) => {
                        object.items.range(f..).map(|(k, _)| k).take(page_size + 1).collect()
                    }
                    (Order::Asc, None) => object.items.keys().take(page_size + 1).collect(),
                    (Order::Desc, Some(f)) => {
                        object.items.range(..=f).rev().map(|(k, _)| k).take(page_size + 1).collect()
                    }
                    (Order::Desc, None) => object.items.keys().rev().take(page_size + 1).collect(),
                };
                let next = (run.len() > *page_size).then(|| run.pop()).flatten();
                let next_token = next.map(|k| encode_token(*order, k));
                // Items before the page's start, in query order.
                let start = run.first().copied().or(from.as_ref());
                let before = start.and_then(|s| {
                    let (bound, flipped) = match order {
                        Order::Asc => (object.items.range(..s).next_back(), Order::Desc),
                        Order::Desc => (
                            object.items.range((Bound::Excluded(s), Bound::Unbounded)).next(),
                            Order::Asc,
                        ),
                    };
                    bound.map(|(k, _)| encode_token(flipped, k))
                });
                (run, before, next_token)
            }
        };
        let items: Vec<Value> =
            keys.iter().map(|k| self.item_json(object, k, &object.items[*k])).collect();
        json!({ "items": items, "meta": { "previous_token": previous, "next_token": next } })
    }
}

// Tokens are "<a|d><key>": a page that starts (inclusive) at key, in that order.
fn encode_token(order: Order, key: &Key) -> String {
    let dir = if order == Order::Asc { 'a' } else { 'd' };
    match key {
        Key::Index(i) => format!("{dir}{i}"),
        Key::Name(k) => format!("{dir}{}", convo_wire::url::path_segment(k)),
    }
}

fn decode_token(kind: Kind, token: &str) -> Result<(Key, Order), String> {
    let bad = || format!("invalid PageToken: {token}");
    let order = match token.as_bytes().first() {
        Some(b'a') => Order::Asc,
        Some(b'd') => Order::Desc,
        _ => return Err(bad()),
    };
    let rest = &token[1..];
    let key = match kind {
        Kind::List => Key::Index(rest.parse().map_err(|_| bad())?),
        _ => Key::Name(crate::routing::percent_decode(rest).ok_or_else(bad)?),
    };
    Ok((key, order))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::sync::SyncStore;

    fn list_of(n: u64) -> (SyncStore, String) {
        let mut store = SyncStore::new("http://127.0.0.1:1".to_owned());
        let sid = store.create(Kind::List, None, Value::Null);
        for i in 0..n {
            store.item_set(&sid, Key::Index(i), json!({ "i": i }));
        }
        (store, sid)
    }

    fn page(store: &SyncStore, sid: &str, params: &[(&str, &str)]) -> (Vec<u64>, bool, bool) {
        let query = ItemQuery::parse(Kind::List, |name| {
            params.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned())
        })
        .unwrap();
        let result = store.query(store.get(sid).unwrap(), &query);
        let indices = result["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["index"].as_u64().unwrap())
            .collect();
        (
            indices,
            !result["meta"]["previous_token"].is_null(),
            !result["meta"]["next_token"].is_null(),
        )
    }

    #[test]
    fn test_sdk_paging_sequence_from_the_probe() {
        // state.md §9: 45 messages, the SDK's exact requests and the expected answers.
        let (store, sid) = list_of(45);
        let (items, prev, next) = page(&store, &sid, &[("PageSize", "30"), ("Order", "desc")]);
        assert_eq!(items, (15..45).rev().collect::<Vec<_>>());
        assert!(!prev, "nothing before the newest in desc order");
        assert!(next, "older items follow");
        let (items, _, next) =
            page(&store, &sid, &[("From", "15"), ("PageSize", "31"), ("Order", "desc")]);
        assert_eq!(items, (0..=15).rev().collect::<Vec<_>>());
        assert!(!next, "index 0 is the end");
        let (items, prev, next) =
            page(&store, &sid, &[("From", "5"), ("PageSize", "10"), ("Order", "asc")]);
        assert_eq!(items, (5..15).collect::<Vec<_>>());
        assert!(prev && next);
    }

    #[test]
    fn test_walking_every_page_both_ways_has_no_gap_or_duplicate() {
        let (store, sid) = list_of(250);
        for order in ["asc", "desc"] {
            let mut seen: Vec<u64> = Vec::new();
            let mut from: Option<String> = None;
            loop {
                let mut params = vec![("PageSize", "7"), ("Order", order)];
                if let Some(f) = &from {
                    params.push(("From", f.as_str()));
                }
                let query = ItemQuery::parse(Kind::List, |n| {
                    params.iter().find(|(k, _)| *k == n).map(|(_, v)| (*v).to_owned())
                })
                .unwrap();
                let result = store.query(store.get(&sid).unwrap(), &query);
                let items: Vec<u64> = result["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| i["index"].as_u64().unwrap())
                    .collect();
                seen.extend(&items);
                match result["meta"]["next_token"].as_str() {
                    // The token names the first item of the next page.
                    Some(token) => from = Some(token[1..].to_owned()),
                    None => break,
                }
            }
            let mut expected: Vec<u64> = (0..250).collect();
            if order == "desc" {
                expected.reverse();
            }
            assert_eq!(seen, expected, "{order}");
        }
    }

    #[test]
    fn test_page_tokens_continue_where_the_page_ended() {
        let (store, sid) = list_of(20);
        let first = store.query(
            store.get(&sid).unwrap(),
            &ItemQuery::Page { from: None, order: Order::Asc, page_size: 8 },
        );
        let token = first["meta"]["next_token"].as_str().unwrap().to_owned();
        let query = ItemQuery::parse(Kind::List, |n| match n {
            "PageToken" => Some(token.clone()),
            "PageSize" => Some("8".to_owned()),
            _ => None,
        })
        .unwrap();
        let second = store.query(store.get(&sid).unwrap(), &query);
        assert_eq!(second["items"][0]["index"], 8);
        assert_eq!(second["items"].as_array().unwrap().len(), 8);
    }

    #[test]
    fn test_single_item_lookup_is_200_even_when_missing() {
        let (store, sid) = list_of(3);
        assert_eq!(page(&store, &sid, &[("Index", "2")]).0, vec![2]);
        assert_eq!(page(&store, &sid, &[("Index", "9")]).0, Vec::<u64>::new());
    }

    #[test]
    fn test_maps_sort_by_key_bytes() {
        let mut store = SyncStore::new("http://x".to_owned());
        let sid = store.create(Kind::Map, None, Value::Null);
        for key in ["b", "B", "a", "é", "A"] {
            store.item_set(&sid, Key::Name(key.to_owned()), json!({}));
        }
        let result = store.query(
            store.get(&sid).unwrap(),
            &ItemQuery::Page { from: None, order: Order::Asc, page_size: 10 },
        );
        let keys: Vec<&str> = result["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["key"].as_str().unwrap())
            .collect();
        assert_eq!(keys, ["A", "B", "a", "b", "é"]);
    }

    #[test]
    fn test_bad_parameters_are_refused() {
        for params in [
            vec![("Order", "up")],
            vec![("PageSize", "0")],
            vec![("PageSize", "5000")],
            vec![("From", "x")],
            vec![("PageToken", "zz")],
        ] {
            let parsed = ItemQuery::parse(Kind::List, |n| {
                params.iter().find(|(k, _)| *k == n).map(|(_, v)| (*v).to_owned())
            });
            assert!(parsed.is_err(), "{params:?}");
        }
    }
}
