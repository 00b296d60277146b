//! Native: connection details — timeouts against a silent server, answering server pings,
//! and the membership commands.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::{sync::Arc, time::Duration};

use convo_client::{Client, ClientConfig, ConnectionState, StaticTokenProvider};
use convo_emulator::{Emulator, EmulatorConfig};
use futures_util::StreamExt;
use serde_json::json;
use support::*;

#[tokio::test]
async fn test_a_server_that_never_answers_times_out_and_is_retried() {
    // Accepts TCP and the websocket upgrade, then says nothing.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                if let Ok(mut ws) = tokio_tungstenite::accept_async(stream).await {
                    while ws.next().await.is_some() {}
                }
            });
        }
    });
    // And one that accepts TCP but never even answers the upgrade.
    let mute = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mute_addr = mute.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = mute.accept().await {
            held.push(stream);
        }
    });
    for target in [addr, mute_addr] {
        let mut config = ClientConfig::new(format!("ws://{target}/v3/wsconnect"));
        config.init_timeout = Duration::from_millis(300);
        let client = Client::connect(config, Arc::new(StaticTokenProvider("t".to_owned())));
        let state = state_within(&client, Duration::from_secs(5), |s| {
            matches!(s, ConnectionState::Reconnecting { .. })
        })
        .await;
        assert!(
            matches!(state, ConnectionState::Reconnecting { attempt: 1, .. }),
            "{target}: {state:?}"
        );
        client.shutdown();
    }
}

#[tokio::test]
async fn test_every_server_message_is_acknowledged_even_in_a_long_burst() {
    use convo_wire::{
        message::{Notification, Reply},
        Frame, Message, Status,
    };
    use futures_util::SinkExt;
    use tokio_tungstenite::tungstenite::Message as Ws;

    // A bare twilsock server: answers `init`, sends a burst of notifications (more than the
    // client holds acknowledgements back for), and reports the ids the client acknowledges.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (acked, mut acks) = tokio::sync::mpsc::unbounded_channel::<String>();
    let burst: Vec<String> = (0..40).map(|i| format!("TN{i:032}")).collect();
    let sent = burst.clone();
    tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let mut ws = tokio_tungstenite::accept_async(stream).await.unwrap();
        while let Some(Ok(Ws::Binary(bytes))) = ws.next().await {
            let frame = Frame::decode(&bytes).unwrap();
            match frame.message {
                Message::Init(init) => {
                    let reply = Message::Reply(Reply::new(init.id, Status::ok()));
                    let bytes = Frame::with_json(reply, &json!({})).encode();
                    ws.send(Ws::Binary(bytes.into())).await.unwrap();
                    for id in &sent {
                        let notification = Message::Notification(Notification {
                            id: id.clone(),
                            message_type: "test.burst".to_owned(),
                            payload_type: Some("application/json".to_owned()),
                            extra: Default::default(),
                        });
                        let bytes = Frame::with_json(notification, &json!({})).encode();
                        ws.send(Ws::Binary(bytes.into())).await.unwrap();
                    }
                }
                Message::Reply(reply) => {
                    let _ = acked.send(reply.id);
                }
                _ => {}
            }
        }
    });
    let client = Client::connect(
        ClientConfig::new(format!("ws://{addr}/v3/wsconnect")),
        Arc::new(StaticTokenProvider("t".to_owned())),
    );
    let mut seen = Vec::new();
    while seen.len() < burst.len() {
        match tokio::time::timeout(Duration::from_secs(5), acks.recv()).await {
            Ok(Some(id)) => seen.push(id),
            other => panic!("acknowledged {} of {} ({other:?})", seen.len(), burst.len()),
        }
    }
    seen.sort();
    assert_eq!(seen, burst, "each notification acknowledged once");
    client.shutdown();
}

#[tokio::test]
async fn test_server_pings_are_answered_so_an_idle_connection_stays_up() {
    // The emulator drops a connection that stays silent for three ping intervals.
    let config =
        EmulatorConfig { ping_interval: Duration::from_millis(60), ..EmulatorConfig::default() };
    let emulator = Emulator::spawn(config, ([127, 0, 0, 1], 0).into()).await.unwrap();
    let client = client(&emulator, "alice");
    connected(&client).await;
    let mut states = client.subscribe_state();
    states.next().await;
    let change = tokio::time::timeout(Duration::from_millis(800), states.next()).await;
    assert!(change.is_err(), "the connection changed state while idle: {change:?}");
    assert_eq!(emulator.state().connected_identities(), ["alice"]);
}

#[tokio::test]
async fn test_create_join_update_and_leave() {
    let emulator = emulator().await;
    let alice = client(&emulator, "alice");
    connected(&alice).await;
    until(&alice.identity(), Option::is_some).await;
    let sid =
        alice.create_conversation(Some("Billing"), json!({ "topic": "invoice" })).await.unwrap();
    let conversation = alice.conversation(&sid);
    assert!(conversation.info().get().is_none(), "not joined yet");
    conversation.join().await.unwrap();
    let info = until(&conversation.info(), Option::is_some).await.unwrap();
    assert_eq!(
        (info.friendly_name.as_deref(), &info.attributes),
        (Some("Billing"), &json!({ "topic": "invoice" }))
    );
    assert_eq!(until(&alice.conversations(), |c| c.len() == 1).await[0].sid, sid);

    conversation.update_attributes(json!({ "topic": "refund", "priority": 2 })).await.unwrap();
    until(&conversation.info(), |i| i.as_ref().is_some_and(|i| i.attributes["topic"] == "refund"))
        .await;

    conversation.leave().await.unwrap();
    until(&conversation.info(), Option::is_none).await;
    until(&alice.conversations(), Vec::is_empty).await;
}
