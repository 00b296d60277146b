//! The JSON reader every frame, session and REST body goes through (`convo_wire::json::parse`)
//! on arbitrary bytes: it never panics, reads what serde_json reads to the same value, and
//! refuses what serde_json refuses; and the writer (`json::text`) writes what it read as
//! serde_json writes it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let ours = convo_wire::json::parse(data);
    match serde_json::from_slice::<Value>(data) {
        Ok(theirs) => {
            let ours = ours.expect("serde_json reads it");
            // And writes it back as serde_json writes it.
            assert_eq!(convo_wire::json::text(&ours), serde_json::to_string(&ours).unwrap());
            assert_eq!(ours, theirs);
        }
        Err(_) => assert!(ours.is_err(), "serde_json refuses it, this read {ours:?}"),
    }
});
