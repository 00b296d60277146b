//! Golden frames: real traffic of the official SDK (`shared/protocol/captures`, copied into
//! `fixtures/`) must decode and re-encode byte for byte.

use convo_wire::{message::Message, Frame, RawFrame};

struct Captured {
    client_to_server: bool,
    bytes: Vec<u8>,
}

/// Rebuilds the packets from a capture log, where each frame is printed as
/// `… C->S TWILSOCK V3.0 <H>` / header line / payload line (the log shows CR LF as newlines).
fn captured_frames(log: &str) -> Vec<Captured> {
    let lines: Vec<&str> = log.lines().collect();
    let mut frames = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(pos) = line.find("TWILSOCK V3.0 ") else { continue };
        let header_len: usize = line[pos + 14..].trim().parse().expect("header length");
        let header = lines[i + 1];
        assert_eq!(header.len(), header_len, "capture header length at line {}", i + 2);
        let payload_size = serde_json::from_str::<serde_json::Value>(header).unwrap()
            ["payload_size"]
            .as_u64()
            .unwrap() as usize;
        let payload = if payload_size > 0 { lines[i + 2] } else { "" };
        assert_eq!(payload.len(), payload_size, "capture payload length at line {}", i + 3);
        let mut bytes = format!("TWILSOCK V3.0 {header_len}\r\n{header}\r\n").into_bytes();
        bytes.extend_from_slice(payload.as_bytes());
        // The first-frames log prints frames without a direction; those are all the SDK's.
        frames.push(Captured { client_to_server: !line.contains("S->C"), bytes });
    }
    frames
}

#[test]
fn test_sdk_first_init_frame_round_trips_byte_for_byte() {
    let frames = captured_frames(include_str!("fixtures/first-frames.log"));
    let init = &frames[0];
    assert_eq!(init.bytes.len(), 1075, "the capture says bytes=1075");
    let frame = Frame::decode(&init.bytes).unwrap();
    let Message::Init(msg) = &frame.message else { panic!("not an init: {frame:?}") };
    assert_eq!(msg.id, "TM91473635-0050-4435-9adc-4ede7fb87050");
    assert_eq!(msg.continuation_token, None);
    assert_eq!(msg.registrations, vec![convo_wire::message::Registration::conversations()]);
    assert_eq!(msg.capabilities, ["client_update", "offline_storage", "telemetry.v1"]);
    assert!(msg.extra.is_empty(), "every init field is modelled: {:?}", msg.extra);
    assert_eq!(frame.encode(), init.bytes);
}

#[test]
fn test_every_captured_frame_round_trips() {
    let frames = captured_frames(include_str!("fixtures/single-client-full-session.log"));
    assert!(frames.len() > 40, "found {} frames", frames.len());
    let mut methods = std::collections::BTreeSet::new();
    for captured in &frames {
        let raw = RawFrame::decode(&captured.bytes).unwrap();
        assert_eq!(raw.encode(), captured.bytes, "raw round trip");
        let frame = Frame::decode(&captured.bytes).unwrap();
        methods.insert(frame.message.method().to_owned());
        if captured.client_to_server {
            // The SDK's own frames use the key order our typed encoder writes.
            assert_eq!(
                String::from_utf8_lossy(&frame.encode()),
                String::from_utf8_lossy(&captured.bytes)
            );
        } else {
            // The probe emulator wrote `method` before `id`; the content must still survive.
            assert_eq!(Frame::decode(&frame.encode()).unwrap(), frame);
        }
    }
    for expected in ["init", "reply", "message", "notification", "telemetry.v1", "update", "close"]
    {
        assert!(methods.contains(expected), "capture has a {expected} frame: {methods:?}");
    }
}
