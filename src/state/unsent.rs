//! What the visitor wrote that the server does not have yet — the composer's draft, and the
//! messages queued or in flight — kept in the page's storage under the widget's key (beside
//! the cached page, and forgotten with the session), so a reload loses none of it. These are
//! the rules of what is kept and what a reload gives back; the handle and the bridge do the
//! storing.
//!
//! A kept message carries the client's idempotency key: sent again after the reload under the
//! same key, one the server had applied (its reply lost to the reload) is not applied twice.
//! Attachments' bytes are not kept (storage holds a few megabytes of text; files go up to
//! 150 MB): a message whose files were all uploaded keeps them by media SID, one with a file
//! not uploaded yet was never sent, so its text goes back to the composer and the visitor is
//! told which files to attach again.

use convo_client::UnsentMessage;
use convo_wire::object;
use serde_json::Value;

/// Bumped when the stored shape changes: older entries are ignored.
const VERSION: u64 = 1;

/// The storage key of `conversation`'s draft, under the widget's own key.
pub fn draft_key(storage_key: &str, conversation: &str) -> String {
    format!("{storage_key}:draft:{conversation}")
}

/// The storage key of `conversation`'s unsent messages, under the widget's own key.
pub fn outbox_key(storage_key: &str, conversation: &str) -> String {
    format!("{storage_key}:outbox:{conversation}")
}

/// The draft as kept: its text, and the names of the files attached to it (their bytes are not
/// kept). `None` when there is nothing to keep.
pub fn draft_json(text: &str, files: &[String]) -> Option<Value> {
    (!text.trim().is_empty() || !files.is_empty())
        .then(|| object! { "v": VERSION, "text": text, "files": files })
}

/// A kept draft: `(text, names of files that were attached)`.
pub fn draft_from(value: &Value) -> (String, Vec<String>) {
    if value["v"].as_u64() != Some(VERSION) {
        return (String::new(), Vec::new());
    }
    let files = strings(&value["files"]);
    (value["text"].as_str().unwrap_or_default().to_owned(), files)
}

/// Unsent messages as kept; `None` when there are none.
pub fn outbox_json(messages: &[UnsentMessage]) -> Option<Value> {
    if messages.is_empty() {
        return None;
    }
    let messages: Vec<Value> = messages
        .iter()
        .map(|m| {
            let media: Vec<Value> = m
                .media
                .iter()
                .map(|(name, kind, size)| object! { "name": name.as_str(), "type": kind.as_str(), "size": *size })
                .collect();
            object! {
                "key": m.idempotency_key,
                "body": m.body,
                "attributes": m.attributes,
                "media": media,
                "media_sids": m.media_sids,
                "failed": m.failed,
            }
        })
        .collect();
    Some(object! { "v": VERSION, "messages": messages })
}

/// Kept unsent messages; empty when `value` is not what [`outbox_json`] wrote.
pub fn outbox_from(value: &Value) -> Vec<UnsentMessage> {
    if value["v"].as_u64() != Some(VERSION) {
        return Vec::new();
    }
    value["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| {
            Some(UnsentMessage {
                idempotency_key: m["key"].as_str().filter(|k| !k.is_empty())?.to_owned(),
                body: m["body"].as_str().map(str::to_owned),
                attributes: match &m["attributes"] {
                    Value::Null => object! {},
                    attributes => attributes.clone(),
                },
                media: m["media"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|x| {
                        (
                            x["name"].as_str().unwrap_or_default().to_owned(),
                            x["type"].as_str().unwrap_or("application/octet-stream").to_owned(),
                            x["size"].as_u64().unwrap_or(0),
                        )
                    })
                    .collect(),
                media_sids: strings(&m["media_sids"]),
                failed: m["failed"].as_str().map(str::to_owned),
            })
        })
        .collect()
}

fn strings(value: &Value) -> Vec<String> {
    value.as_array().into_iter().flatten().filter_map(|s| s.as_str().map(str::to_owned)).collect()
}

/// What to keep now that this page's client reports `now` unsent: `now`, after what is kept
/// that this page did not write (`written`: the keys it kept last time). The visitor's other
/// tabs keep theirs under the same key, and a reload restores theirs too — harmless, since
/// the server applies each key once — so a page never drops what it did not put there. (A
/// handful of messages at most: plain scans.)
pub fn merge(
    stored: Vec<UnsentMessage>,
    written: &[String],
    now: &[UnsentMessage],
) -> Vec<UnsentMessage> {
    let mut kept: Vec<UnsentMessage> = stored
        .into_iter()
        .filter(|m| {
            !written.contains(&m.idempotency_key)
                && !now.iter().any(|n| n.idempotency_key == m.idempotency_key)
        })
        .collect();
    kept.extend_from_slice(now);
    kept
}

/// What a reload gives back of the kept messages.
#[derive(Debug, Default, PartialEq)]
pub struct Restored {
    /// Sent again, each under its key: those whose attachments were all uploaded.
    pub messages: Vec<UnsentMessage>,
    /// The text of those that had a file not uploaded yet: they never went out, and go back to
    /// the composer to be sent again with the files attached again.
    pub texts: Vec<String>,
    /// The names of those files.
    pub lost_files: Vec<String>,
}

/// Splits kept messages into what is sent again and what goes back to the composer.
pub fn restorable(stored: Vec<UnsentMessage>) -> Restored {
    let mut restored = Restored::default();
    for message in stored {
        if message.media_sids.len() >= message.media.len() {
            restored.messages.push(message);
            continue;
        }
        restored.texts.extend(message.body.filter(|b| !b.trim().is_empty()));
        restored.lost_files.extend(message.media.into_iter().map(|(name, _, _)| name));
    }
    restored
}

/// The composer's text after a reload: the texts of messages that go back to it (written
/// first), then the draft.
pub fn draft_with(texts: &[String], draft: &str) -> String {
    let mut text = texts.join("\n");
    if !draft.trim().is_empty() {
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(draft);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn message(key: &str, body: &str) -> UnsentMessage {
        UnsentMessage {
            idempotency_key: key.into(),
            body: Some(body.into()),
            attributes: json!({}),
            media: Vec::new(),
            media_sids: Vec::new(),
            failed: None,
        }
    }

    fn keys(messages: &[UnsentMessage]) -> Vec<&str> {
        messages.iter().map(|m| m.idempotency_key.as_str()).collect()
    }

    #[test]
    fn test_unsent_messages_are_kept_with_their_keys_uploads_and_failures() {
        let mut failed = message("k2", "second");
        failed.failed = Some("too long".into());
        let mut with_file = message("k3", "see");
        with_file.media = vec![
            ("a.png".into(), "image/png".into(), 10),
            ("b.pdf".into(), "application/pdf".into(), 20),
        ];
        with_file.media_sids = vec!["ME1".into()];
        with_file.attributes = json!({ "tag": "x" });
        let kept = vec![message("k1", "first"), failed, with_file];
        let text = outbox_json(&kept).expect("something to keep").to_string();
        assert_eq!(outbox_from(&serde_json::from_str(&text).unwrap()), kept);
        assert_eq!(outbox_json(&[]), None, "nothing kept: the key goes");
        assert!(outbox_from(&json!({ "v": 0, "messages": [] })).is_empty());
        assert!(
            outbox_from(&json!({ "v": VERSION, "messages": [{ "body": "no key" }] })).is_empty(),
            "a message without its key cannot be sent safely"
        );
    }

    #[test]
    fn test_the_draft_is_kept_with_the_names_of_its_files() {
        assert_eq!(draft_json("  ", &[]), None, "an empty composer keeps nothing");
        let kept = draft_json("half a thought", &["a.png".into()]).unwrap();
        assert_eq!(draft_from(&kept), ("half a thought".to_owned(), vec!["a.png".to_owned()]));
        let only_files = draft_json("", &["a.png".into()]).unwrap();
        assert_eq!(draft_from(&only_files).1, ["a.png"]);
        assert_eq!(draft_from(&json!({ "text": "old shape" })), (String::new(), Vec::new()));
    }

    #[test]
    fn test_a_page_replaces_what_it_kept_and_leaves_other_tabs_messages() {
        let stored = vec![message("theirs", "a"), message("mine-1", "b"), message("mine-2", "c")];
        let written = ["mine-1".to_owned(), "mine-2".to_owned()];
        // mine-1 was confirmed; mine-2 is still unsent; mine-3 is new.
        let now = [message("mine-2", "c"), message("mine-3", "d")];
        assert_eq!(keys(&merge(stored, &written, &now)), ["theirs", "mine-2", "mine-3"]);
        // A restored message this page has not seen its client report yet stays.
        let restored = vec![message("restored", "e")];
        assert_eq!(keys(&merge(restored.clone(), &[], &[])), ["restored"]);
        assert!(merge(restored, &["restored".into()], &[]).is_empty(), "confirmed since: it goes");
    }

    #[test]
    fn test_a_reload_resends_what_can_go_and_gives_the_rest_back_to_the_composer() {
        let mut uploaded = message("k2", "with its file");
        uploaded.media = vec![("a.png".into(), "image/png".into(), 10)];
        uploaded.media_sids = vec!["ME1".into()];
        let mut not_uploaded = message("k3", "my receipt");
        not_uploaded.media = vec![
            ("a.png".into(), "image/png".into(), 10),
            ("receipt.pdf".into(), "application/pdf".into(), 20),
        ];
        not_uploaded.media_sids = vec!["ME2".into()];
        let mut file_only = message("k4", "");
        file_only.body = None;
        file_only.media = vec![("c.txt".into(), "text/plain".into(), 3)];
        let restored = restorable(vec![message("k1", "hello"), uploaded, not_uploaded, file_only]);
        assert_eq!(keys(&restored.messages), ["k1", "k2"]);
        assert_eq!(restored.texts, ["my receipt"]);
        assert_eq!(restored.lost_files, ["a.png", "receipt.pdf", "c.txt"]);
        assert_eq!(draft_with(&restored.texts, "and more"), "my receipt\nand more");
        assert_eq!(draft_with(&[], "and more"), "and more");
        assert_eq!(draft_with(&restored.texts, " "), "my receipt");
    }
}
