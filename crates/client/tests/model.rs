//! Native: the conversation model against the in-process emulator — what two users see of
//! each other, paging, typing, read horizons, media.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::time::Duration;

use convo_client::{Attachment, ConversationState, SendStatus, TimelineItem};
use serde_json::json;
use support::*;

#[tokio::test]
async fn test_two_users_see_each_others_messages_in_order() {
    let emulator = emulator().await;
    let sid = conversation_with(&emulator, &["alice", "bob"]).await;
    let (alice, _bob, a, b) = alice_and_bob(&emulator, &sid).await;
    assert_eq!(until(&alice.identity(), Option::is_some).await.as_deref(), Some("alice"));

    for i in 0..5 {
        a.send_text(&format!("from alice {i}"), json!({ "n": i })).await.unwrap();
    }
    b.send_text("from bob", json!({})).await.unwrap();
    let expected = |bodies: &[String]| bodies.len() == 6;
    let seen_by_bob = until_bodies(&b, expected).await;
    let seen_by_alice = until_bodies(&a, expected).await;
    assert_eq!(seen_by_alice, seen_by_bob);
    // Sends return once queued, so Bob's message may fall anywhere; Alice's keep their order.
    let from_alice: Vec<&String> =
        seen_by_bob.iter().filter(|b| b.starts_with("from alice")).collect();
    assert_eq!(
        from_alice,
        ["from alice 0", "from alice 1", "from alice 2", "from alice 3", "from alice 4"]
    );
    let third = b.timeline().get().into_iter().find_map(|i| match i {
        TimelineItem::Remote(m) if m.body.as_deref() == Some("from alice 2") => Some(m),
        _ => None,
    });
    assert_eq!(third.unwrap().attributes, json!({ "n": 2 }));
    // Nothing is left pending once the server confirmed every send.
    assert!(a.timeline().get().iter().all(|i| matches!(i, TimelineItem::Remote(_))));
    let info = until(&a.info(), |i| i.as_ref().is_some_and(|i| i.last_message_index == Some(5)))
        .await
        .unwrap();
    assert_eq!(
        (info.friendly_name.as_deref(), info.state),
        (Some("Support"), ConversationState::Active)
    );
}

#[tokio::test]
async fn test_paging_older_messages_to_the_start_without_gaps() {
    let emulator = emulator().await;
    let sid = conversation_with(&emulator, &["alice"]).await;
    for i in 0..120 {
        let body = format!("m{i}");
        rest(
            &emulator,
            reqwest::Method::POST,
            &format!("/v1/Conversations/{sid}/Messages"),
            &[("Author", "agent"), ("Body", &body)],
        )
        .await;
    }
    let alice = client(&emulator, "alice");
    let a = alice.conversation(&sid);
    until(&a.info(), Option::is_some).await;
    assert_eq!(bodies(&a).len(), 50, "the newest page");
    assert!(a.has_older().get());
    let mut pages = 0;
    while a.load_older().await.unwrap() {
        pages += 1;
        assert!(pages < 5, "paging ends");
    }
    let all = bodies(&a);
    assert_eq!(all, (0..120).map(|i| format!("m{i}")).collect::<Vec<_>>());
    assert!(!a.has_older().get());
    assert!(!a.load_older().await.unwrap(), "nothing older than the first message");
}

#[tokio::test]
async fn test_participants_typing_and_read_horizons() {
    let emulator = emulator().await;
    let sid = conversation_with(&emulator, &["alice", "bob"]).await;
    rest(&emulator, reqwest::Method::POST, "/v1/Users/bob", &[("FriendlyName", "Bob the agent")])
        .await;
    let (alice, bob) = (client(&emulator, "alice"), client(&emulator, "bob"));
    let (a, b) = (alice.conversation(&sid), bob.conversation(&sid));
    let people = until(&a.participants(), |p| {
        p.iter().any(|p| {
            p.identity.as_deref() == Some("bob")
                && p.online == Some(true)
                && p.user_friendly_name.is_some()
        })
    })
    .await;
    assert_eq!(people.len(), 2);
    assert_eq!(
        people
            .iter()
            .find(|p| p.identity.as_deref() == Some("bob"))
            .unwrap()
            .user_friendly_name
            .as_deref(),
        Some("Bob the agent")
    );

    until(&b.info(), Option::is_some).await;
    b.notify_typing().unwrap();
    assert_eq!(until(&a.typing(), |t| !t.is_empty()).await, ["bob"]);
    assert!(b.typing().get().is_empty(), "never one's own typing");
    // A message from the typist ends the indicator at once.
    b.send_text("hello", json!({})).await.unwrap();
    until(&a.typing(), Vec::is_empty).await;

    for i in 0..4 {
        b.send_text(&format!("b{i}"), json!({})).await.unwrap();
    }
    until_bodies(&a, |m| m.len() == 5).await;
    let unread = a.advance_read_horizon(2).await.unwrap();
    assert_eq!(unread, Some(2));
    until(&a.info(), |i| {
        i.as_ref().is_some_and(|i| i.read_horizon == Some(2) && i.unread_count == Some(2))
    })
    .await;
    // Bob sees Alice's horizon move (read receipts).
    until(&b.participants(), |p| {
        p.iter().any(|p| p.identity.as_deref() == Some("alice") && p.read_horizon == Some(2))
    })
    .await;
    assert_eq!(a.advance_read_horizon(1).await.unwrap(), Some(2), "the horizon never moves back");

    bob.shutdown();
    until(&a.participants(), |p| {
        p.iter().any(|p| p.identity.as_deref() == Some("bob") && p.online == Some(false))
    })
    .await;
}

#[tokio::test]
async fn test_media_upload_with_progress_then_the_message() {
    let emulator = emulator().await;
    let sid = conversation_with(&emulator, &["alice", "bob"]).await;
    let (_alice, _bob, a, b) = alice_and_bob(&emulator, &sid).await;
    let bytes: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let file = Attachment {
        filename: "photo é.png".into(),
        content_type: "image/png".into(),
        bytes: bytes.clone(),
    };
    let (_, mut changes) = a.timeline().subscribe();
    a.send(Some("a photo".into()), json!({}), vec![file]).await.unwrap();
    let mut uploading = Vec::new();
    let received = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let list = b.timeline().get();
            if let Some(TimelineItem::Remote(m)) = list.last() {
                if !m.media.is_empty() {
                    return m.clone();
                }
            }
            while let Ok(change) = changes.try_recv() {
                if let convo_client::VectorDiff::Set { value: TimelineItem::Pending(p), .. }
                | convo_client::VectorDiff::Insert {
                    value: TimelineItem::Pending(p), ..
                } = change
                {
                    if let SendStatus::Uploading { sent, total } = p.status {
                        uploading.push((sent, total));
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the media message arrives");
    assert_eq!(received.body.as_deref(), Some("a photo"));
    assert_eq!(received.media[0].filename.as_deref(), Some("photo é.png"));
    assert_eq!(received.media[0].size, 300_000);
    assert!(
        uploading.iter().any(|(sent, total)| *total == 300_000 && *sent > 0),
        "progress was reported: {uploading:?}"
    );
    assert!(uploading.windows(2).all(|w| w[0].0 <= w[1].0), "progress only grows");
}

#[tokio::test]
async fn test_a_media_url_asked_for_before_connecting_comes_once_connected_with_its_life() {
    // A page restored from the cache shows its attachments before the connection is up.
    let config = convo_emulator::EmulatorConfig {
        media_url_ttl: Duration::from_secs(5),
        ..convo_emulator::EmulatorConfig::default()
    };
    let emulator =
        convo_emulator::Emulator::spawn(config, ([127, 0, 0, 1], 0).into()).await.unwrap();
    let sid = conversation_with(&emulator, &["alice", "bob"]).await;
    let (_alice, _bob, a, b) = alice_and_bob(&emulator, &sid).await;
    let bytes = b"the attachment".to_vec();
    let file = Attachment {
        filename: "note.txt".into(),
        content_type: "text/plain".into(),
        bytes: bytes.clone(),
    };
    a.send(None, json!({}), vec![file]).await.unwrap();
    let media = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let Some(TimelineItem::Remote(m)) = b.timeline().get().last() {
                if let Some(media) = m.media.first() {
                    return media.sid.clone();
                }
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the attachment arrives");

    let late = client(&emulator, "bob");
    assert_ne!(late.state(), convo_client::ConnectionState::Connected);
    let link = tokio::time::timeout(Duration::from_secs(10), late.media_url(&media))
        .await
        .expect("answered once connected")
        .expect("a URL, not \"not connected yet\"");
    assert!(
        link.valid_for > Duration::from_secs(3) && link.valid_for <= Duration::from_secs(6),
        "the life the URL states (5 s to a whole second), not Twilio's default: {link:?}"
    );
    let downloaded = reqwest::get(&link.url).await.unwrap().bytes().await.unwrap();
    assert_eq!(downloaded.to_vec(), bytes);
}
