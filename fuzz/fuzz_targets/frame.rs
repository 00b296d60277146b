//! The twilsock codec on arbitrary bytes: decoding never panics (the emulator decodes bytes
//! straight off the network), and whatever decodes re-encodes to bytes that decode to the same
//! frame, raw and typed.
#![no_main]

use convo_wire::{Frame, RawFrame};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(raw) = RawFrame::decode(data) {
        let again = RawFrame::decode(&raw.encode()).expect("an encoded raw frame decodes");
        assert_eq!(again, raw, "raw round trip");
    }
    if let Ok(frame) = Frame::decode(data) {
        let again = Frame::decode(&frame.encode()).expect("an encoded typed frame decodes");
        assert_eq!(again, frame, "typed round trip");
    }
});
