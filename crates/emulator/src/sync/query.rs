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
        Key::Name(k) => format!("{dir}{}", super::percent_encode(k)),
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
