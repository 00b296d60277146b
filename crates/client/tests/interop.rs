//! Native: `convo-client` and Twilio's official JS SDK (in Node, `tests/conformance`) share one
//! conversation on the emulator and see each other both ways: text, media, typing, read
//! horizons, edits and removals. Needs `scripts/setup` (node and the npm packages).
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::{path::PathBuf, process::Stdio, time::Duration};

use base64::{engine::general_purpose::STANDARD, Engine as _};
use convo_client::{Attachment, TimelineItem};
use serde_json::{json, Value};
use support::*;
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines},
    process::{Child, ChildStdin, ChildStdout, Command},
};

struct Peer {
    child: Child,
    stdin: ChildStdin,
    lines: Lines<BufReader<ChildStdout>>,
    seen: Vec<Value>,
}

impl Peer {
    fn spawn(twilsock: &str, token: &str, conversation: &str) -> Peer {
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/conformance/interop-peer.mjs");
        let mut child = Command::new("node")
            .arg(script)
            .env("CONVO_PEER_TWILSOCK", twilsock)
            .env("CONVO_PEER_TOKEN", token)
            .env("CONVO_PEER_CONVERSATION", conversation)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("node runs (scripts/setup installs the SDK)");
        let stdin = child.stdin.take().unwrap();
        let lines = BufReader::new(child.stdout.take().unwrap()).lines();
        Peer { child, stdin, lines, seen: Vec::new() }
    }

    async fn command(&mut self, command: Value) {
        self.stdin.write_all(format!("{command}\n").as_bytes()).await.unwrap();
        self.expect(|e| e["event"] == "done" && e["cmd"] == command["cmd"]).await;
    }

    /// The first event (seen before or arriving within 10 s) that satisfies `want`.
    async fn expect(&mut self, want: impl Fn(&Value) -> bool) -> Value {
        self.expect_within(Duration::from_secs(10), want).await
    }

    /// Like [`Peer::expect`] with a chosen bound (Node's start-up is slow on a busy machine).
    async fn expect_within(&mut self, limit: Duration, want: impl Fn(&Value) -> bool) -> Value {
        if let Some(position) = self.seen.iter().position(&want) {
            return self.seen.remove(position);
        }
        let found = tokio::time::timeout(limit, async {
            while let Some(line) = self.lines.next_line().await.unwrap() {
                let event: Value = serde_json::from_str(&line)
                    .unwrap_or(json!({ "event": "noise", "line": line }));
                assert_ne!(event["event"], "error", "the SDK peer failed: {event}");
                if want(&event) {
                    return Some(event);
                }
                self.seen.push(event);
            }
            None
        })
        .await;
        found
            .ok()
            .flatten()
            .unwrap_or_else(|| panic!("the SDK peer never reported it; saw {:?}", self.seen))
    }
}

fn remote(item: &TimelineItem) -> Option<&convo_client::Message> {
    match item {
        TimelineItem::Remote(m) => Some(m),
        TimelineItem::Pending(_) => None,
    }
}

#[tokio::test]
async fn test_convo_client_and_the_official_sdk_see_each_other() {
    let emulator = emulator().await;
    let sid = conversation_with(&emulator, &["rusty", "sdk-user"]).await;
    let rusty = client(&emulator, "rusty");
    let ours = rusty.conversation(&sid);
    until(&ours.info(), Option::is_some).await;
    let mut peer = Peer::spawn(&emulator.twilsock_url(), &valid_token("sdk-user"), &sid);
    peer.expect_within(Duration::from_secs(45), |e| e["event"] == "ready").await;

    // Text, both ways, with attributes.
    ours.send_text("hello from rust", json!({ "r": 1 })).await.unwrap();
    let got = peer.expect(|e| e["event"] == "messageAdded" && e["author"] == "rusty").await;
    assert_eq!(
        (got["body"].as_str(), &got["attributes"]),
        (Some("hello from rust"), &json!({ "r": 1 }))
    );
    peer.command(json!({ "cmd": "send", "body": "hello from the sdk", "attributes": { "s": 2 } }))
        .await;
    let bodies = until_bodies(&ours, |b| b.len() == 2).await;
    assert_eq!(bodies, ["hello from rust", "hello from the sdk"]);
    let theirs = ours
        .timeline()
        .get()
        .iter()
        .filter_map(remote)
        .find(|m| m.author == "sdk-user")
        .cloned()
        .unwrap();
    assert_eq!(theirs.attributes, json!({ "s": 2 }));

    // Typing, both ways.
    peer.command(json!({ "cmd": "typing" })).await;
    assert_eq!(until(&ours.typing(), |t| !t.is_empty()).await, ["sdk-user"]);
    ours.notify_typing().unwrap();
    assert_eq!(peer.expect(|e| e["event"] == "typingStarted").await["identity"], "rusty");

    // Media from the SDK: our side sees it and downloads the same bytes.
    let sdk_bytes = b"bytes uploaded by the official SDK".to_vec();
    peer.command(json!({ "cmd": "sendMedia", "contentType": "text/plain", "filename": "sdk.txt", "base64": STANDARD.encode(&sdk_bytes) })).await;
    until_bodies(&ours, |b| b.len() == 3).await;
    let with_media = ours
        .timeline()
        .get()
        .iter()
        .filter_map(remote)
        .find(|m| !m.media.is_empty())
        .cloned()
        .unwrap();
    assert_eq!(with_media.media[0].filename.as_deref(), Some("sdk.txt"));
    let url = rusty.media_url(&with_media.media[0].sid).await.unwrap().url;
    let downloaded = reqwest::get(&url).await.unwrap().bytes().await.unwrap();
    assert_eq!(downloaded.to_vec(), sdk_bytes);

    // Media from us: the SDK sees it and downloads the same bytes.
    let our_bytes: Vec<u8> = (0..5000u32).map(|i| (i * 7 % 256) as u8).collect();
    let file = Attachment {
        filename: "rust.bin".into(),
        content_type: "application/octet-stream".into(),
        bytes: our_bytes.clone(),
    };
    ours.send(None, json!({}), vec![file]).await.unwrap();
    let added = peer
        .expect(|e| {
            e["event"] == "messageAdded" && e["author"] == "rusty" && e["media"][0].is_object()
        })
        .await;
    assert_eq!(added["media"][0]["filename"], "rust.bin");
    peer.command(json!({ "cmd": "download", "index": added["index"] })).await;
    let download = peer.expect(|e| e["event"] == "downloaded").await;
    assert_eq!(STANDARD.decode(download["base64"].as_str().unwrap()).unwrap(), our_bytes);

    // Read horizons, both ways.
    let last = added["index"].as_u64().unwrap();
    ours.advance_read_horizon(last).await.unwrap();
    let seen = peer
        .expect(|e| {
            e["event"] == "participantUpdated"
                && e["identity"] == "rusty"
                && e["lastReadMessageIndex"] == last
        })
        .await;
    assert_eq!(seen["lastReadMessageIndex"], last);
    peer.command(json!({ "cmd": "read", "index": last })).await;
    until(&ours.participants(), |p| {
        p.iter().any(|p| p.identity.as_deref() == Some("sdk-user") && p.read_horizon == Some(last))
    })
    .await;

    // Edits (body, then attributes) and removals, both ways.
    let first = ours
        .timeline()
        .get()
        .iter()
        .filter_map(remote)
        .find(|m| m.author == "rusty")
        .cloned()
        .unwrap();
    ours.update_message(&first.sid, "hello from rust, edited").await.unwrap();
    let updated =
        peer.expect(|e| e["event"] == "messageUpdated" && e["index"] == first.index).await;
    assert_eq!(updated["body"], "hello from rust, edited");
    ours.update_message_attributes(&first.sid, json!({ "reaction": "👍" })).await.unwrap();
    let marked = peer
        .expect(|e| {
            e["event"] == "messageUpdated"
                && e["index"] == first.index
                && e["attributes"]["reaction"] == "👍"
        })
        .await;
    assert_eq!(marked["body"], "hello from rust, edited", "the body stays");
    ours.remove_message(&first.sid).await.unwrap();
    peer.expect(|e| e["event"] == "messageRemoved" && e["index"] == first.index).await;
    peer.command(json!({ "cmd": "update", "index": theirs.index, "body": "sdk, edited" })).await;
    until_bodies(&ours, |b| b.contains(&"sdk, edited".to_owned())).await;
    peer.command(json!({ "cmd": "remove", "index": theirs.index })).await;
    let remaining = until_bodies(&ours, |b| !b.contains(&"sdk, edited".to_owned())).await;
    assert!(!remaining.contains(&"hello from rust, edited".to_owned()), "{remaining:?}");

    peer.stdin.write_all(b"{\"cmd\":\"quit\"}\n").await.unwrap();
    let _ = tokio::time::timeout(Duration::from_secs(5), peer.child.wait()).await;
}
