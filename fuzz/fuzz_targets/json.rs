//! The JSON reader every frame, session and REST body goes through (`convo_wire::json::parse`)
//! on arbitrary bytes: it never panics, reads what serde_json reads to the same value, and
//! refuses what serde_json refuses.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let ours = convo_wire::json::parse(data);
    match serde_json::from_slice::<Value>(data) {
        Ok(theirs) => assert_eq!(ours.expect("serde_json reads it"), theirs),
        Err(_) => assert!(ours.is_err(), "serde_json refuses it, this read {ours:?}"),
    }
});
