//! Loaders: the multi-request reads that turn server state into snapshots the engine applies
//! in one step. They run as tasks; the engine never waits on the network.

use convo_wire::json;
use serde_json::Value;

use super::api::{encode, Api};
use crate::Error;

/// A Sync object's descriptor.
#[derive(Debug, Clone)]
pub(crate) struct Descriptor {
    pub(crate) sid: String,
    pub(crate) last_event_id: u64,
    pub(crate) items_url: Option<String>,
    pub(crate) data: Value,
    /// Preloaded map items (`Include=items`).
    pub(crate) items: Vec<Item>,
}

/// A list or map item.
#[derive(Debug, Clone)]
pub(crate) struct Item {
    /// The index (lists) or key (maps), as JSON.
    pub(crate) key: Value,
    pub(crate) event_id: u64,
    pub(crate) data: Value,
}

impl Item {
    fn from_json(mut v: Value) -> Item {
        let field = if v.get("index").is_some() { "index" } else { "key" };
        let key = take(&mut v, field);
        Item { key, event_id: v["last_event_id"].as_u64().unwrap_or(0), data: take(&mut v, "data") }
    }

    /// The items of a page (`items` in its body), taken out of it rather than copied: a page
    /// of messages is a hundred of them.
    fn all_from(body: &mut Value) -> Vec<Item> {
        match take(body, "items") {
            Value::Array(items) => items.into_iter().map(Item::from_json).collect(),
            _ => Vec::new(),
        }
    }
}

/// Field `key` of an object, moved out of it; `null` if it has none or is not an object (where
/// `value[key]` would panic when written through).
fn take(value: &mut Value, key: &str) -> Value {
    value.get_mut(key).map(Value::take).unwrap_or(Value::Null)
}

/// The client configuration (`GET Client/v2/Configuration`).
#[derive(Debug, Clone)]
pub(crate) struct Configuration {
    pub(crate) identity: String,
    pub(crate) my_conversations: String,
    pub(crate) my_user_info: String,
    pub(crate) links: Value,
}

impl Configuration {
    pub(crate) fn link(&self, name: &str) -> String {
        self.links[name].as_str().unwrap_or_default().to_owned()
    }
}

/// Everything needed to show a joined conversation.
#[derive(Debug, Clone)]
pub(crate) struct ConversationSnapshot {
    pub(crate) document: Descriptor,
    pub(crate) list: Descriptor,
    pub(crate) roster: Descriptor,
    pub(crate) participants: Vec<Item>,
    /// The newest page, oldest first.
    pub(crate) messages: Vec<Item>,
    pub(crate) has_older: bool,
}

/// A user's info map.
#[derive(Debug, Clone)]
pub(crate) struct UserSnapshot {
    pub(crate) map: Descriptor,
}

pub(crate) async fn configuration(api: &Api, aim: &str) -> Result<Configuration, Error> {
    let body = api.get(&format!("{}/Client/v2/Configuration", aim.trim_end_matches('/'))).await?;
    let text = |v: &Value| {
        v.as_str()
            .map(str::to_owned)
            .ok_or_else(|| Error::Network(format!("bad configuration: {}", json::text(&body))))
    };
    Ok(Configuration {
        identity: text(&body["identity"])?,
        my_conversations: text(&body["sync_objects"]["my_conversations"])?,
        my_user_info: text(&body["sync_objects"]["my_user_info"])?,
        links: body["links"].clone(),
    })
}

/// `GET /v3/{Documents|Lists|Maps}/{id}`.
pub(crate) async fn open(
    api: &Api,
    cds: &str,
    kind: &str,
    id: &str,
    include_items: bool,
) -> Result<Descriptor, Error> {
    let mut url = format!("{}/v3/{kind}/{}", cds.trim_end_matches('/'), encode(id));
    if include_items {
        url.push_str("?Include=items");
    }
    let mut body = api.get(&url).await?;
    Ok(Descriptor {
        sid: body["sid"].as_str().unwrap_or(id).to_owned(),
        last_event_id: body["last_event_id"].as_u64().unwrap_or(0),
        items_url: body["links"]["items"].as_str().map(str::to_owned),
        data: take(&mut body, "data"),
        items: Item::all_from(&mut body),
    })
}

/// A map and all its items (the my-conversations map, a roster).
pub(crate) async fn map_with_items(
    api: &Api,
    cds: &str,
    id: &str,
) -> Result<(Descriptor, Vec<Item>), Error> {
    let map = open(api, cds, "Maps", id, false).await?;
    let items = match &map.items_url {
        Some(url) => all_map_items(api, url).await?,
        None => Vec::new(),
    };
    Ok((map, items))
}

/// Every item of a map, in key order, paging with `From` as the official client does.
pub(crate) async fn all_map_items(api: &Api, items_url: &str) -> Result<Vec<Item>, Error> {
    const PAGE: usize = 100;
    let mut items: Vec<Item> = Vec::new();
    loop {
        let mut url = format!("{items_url}?HideExpired=true&Order=asc&PageSize={}", PAGE + 1);
        if let Some(last) = items.last() {
            url.push_str(&format!("&From={}", encode(last.key.as_str().unwrap_or_default())));
        }
        let mut page = api.get(&url).await?;
        let mut batch = Item::all_from(&mut page);
        // Continuing pages start at the last item we hold (From is inclusive).
        if !items.is_empty()
            && !batch.is_empty()
            && batch[0].key == items.last().map(|i| i.key.clone()).unwrap_or_default()
        {
            batch.remove(0);
        }
        items.extend(batch);
        if page["meta"]["next_token"].is_null() {
            return Ok(items);
        }
    }
}

/// Up to `count` list items older than `before` (or the newest, without it), oldest first,
/// and whether still older ones exist.
pub(crate) async fn list_page(
    api: &Api,
    items_url: &str,
    before: Option<u64>,
    count: usize,
) -> Result<(Vec<Item>, bool), Error> {
    let mut url = format!(
        "{items_url}?HideExpired=true&Order=desc&PageSize={}",
        count + usize::from(before.is_some())
    );
    if let Some(before) = before {
        url.push_str(&format!("&From={before}"));
    }
    let mut page = api.get(&url).await?;
    let mut items = Item::all_from(&mut page);
    if let Some(before) = before {
        items.retain(|i| i.key.as_u64() != Some(before));
    }
    // In descending order, "next" is older: computed from the order actually sent.
    let has_older = !page["meta"]["next_token"].is_null();
    items.reverse();
    Ok((items, has_older))
}

/// Opens a joined conversation: its document, messages list, roster (all participants) and
/// the newest page of messages.
pub(crate) async fn conversation(
    api: &Api,
    cds: &str,
    document_id: &str,
    page: usize,
) -> Result<ConversationSnapshot, Error> {
    let document = open(api, cds, "Documents", document_id, false).await?;
    let list_id = document.data["messages"].as_str().unwrap_or_default().to_owned();
    let roster_id = document.data["roster"].as_str().unwrap_or_default().to_owned();
    // The messages and the roster are independent: two chains side by side, not four round
    // trips in a row (the returning visitor waits on this).
    let messages = async {
        let list = open(api, cds, "Lists", &list_id, false).await?;
        let page = match &list.items_url {
            Some(url) => list_page(api, url, None, page).await?,
            None => (Vec::new(), false),
        };
        Ok::<_, Error>((list, page))
    };
    let people = map_with_items(api, cds, &roster_id);
    let (messages, people) = futures_util::future::join(messages, people).await;
    let ((list, (messages, has_older)), (roster, participants)) = (messages?, people?);
    Ok(ConversationSnapshot { document, list, roster, participants, messages, has_older })
}

/// Opens a user's info map, by its id when the roster names it, else through the users link.
pub(crate) async fn user(
    api: &Api,
    cds: &str,
    users_link: &str,
    identity: &str,
    map: Option<String>,
) -> Result<UserSnapshot, Error> {
    let map = match map {
        Some(map) => map,
        None => {
            let body = api.get(&format!("{users_link}/{}", encode(identity))).await?;
            body["sync_objects"]["user_info_map"].as_str().unwrap_or_default().to_owned()
        }
    };
    Ok(UserSnapshot { map: open(api, cds, "Maps", &map, true).await? })
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::Item;

    #[test]
    fn test_items_are_taken_from_a_page_by_index_or_key() {
        let mut page = json!({"items": [
            {"index": 7, "key": "ignored", "last_event_id": 3, "data": {"body": "hi"}},
            {"key": "MB1", "data": {"role": "guest"}},
        ], "meta": {}});
        let items = Item::all_from(&mut page);
        assert_eq!(items.len(), 2);
        assert_eq!((items[0].key.clone(), items[0].event_id), (json!(7), 3));
        assert_eq!(items[0].data, json!({"body": "hi"}));
        assert_eq!((items[1].key.clone(), items[1].event_id), (json!("MB1"), 0));
        assert_eq!(page["items"], Value::Null, "moved out, not copied");
    }

    #[test]
    fn test_a_malformed_page_gives_no_items_or_empty_ones_and_never_panics() {
        for mut page in [json!(null), json!([1, 2]), json!("text"), json!({"items": {"a": 1}})] {
            assert!(Item::all_from(&mut page).is_empty(), "{page}");
        }
        let mut page = json!({"items": [1, "two", null, []]});
        let items = Item::all_from(&mut page);
        assert_eq!(items.len(), 4);
        assert!(items.iter().all(|i| i.key.is_null() && i.data.is_null() && i.event_id == 0));
    }
}
