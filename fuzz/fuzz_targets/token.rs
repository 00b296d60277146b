//! Access tokens: of everything the fuzzer derives from valid tokens (the seeds are exactly
//! them), only those very strings verify. A second string that verified would be a forgery or
//! a malleable encoding.
#![no_main]

use std::sync::OnceLock;

use convo_wire::token::{self, Claims};
use libfuzzer_sys::fuzz_target;

const SECRET: &str = "convo-dev-api-secret";
/// The capture's `iat` (shared/protocol/captures/first-frames.log); verification runs just after.
const NOW: u64 = 1_795_238_603;

/// Keep in sync with `fuzz/seeds/token` (a test in crates/wire/tests/properties.rs checks the seeds verify).
fn originals() -> &'static [String] {
    static ORIGINALS: OnceLock<Vec<String>> = OnceLock::new();
    ORIGINALS.get_or_init(|| {
        let sids = ("AC00000000000000000000000000000000", "SK00000000000000000000000000000000");
        let service = "IS00000000000000000000000000000000";
        ["alice", "visitor-4f1c2a", "agent"]
            .iter()
            .map(|identity| {
                token::sign(&Claims::chat(sids.0, sids.1, service, identity, NOW, 3600), SECRET)
            })
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(candidate) = std::str::from_utf8(data) else { return };
    if token::verify(candidate, SECRET, NOW + 1).is_ok() {
        assert!(
            originals().iter().any(|o| o == candidate),
            "a token that was never signed verifies: {candidate:?}"
        );
    }
});
