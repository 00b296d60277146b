//! Backend session handles: of everything derived from valid handles (the seeds), only those
//! very strings open. Anything else opening would let a visitor resume someone else's chat.
#![no_main]

use std::sync::OnceLock;

use convo_backend::session::Session;
use libfuzzer_sys::fuzz_target;

const SECRET: &str = "convo-fuzz-session-secret";
/// The seeds expire on 2100-01-01 and are opened as of 2026-12-06 (Unix seconds).
const EXPIRES: u64 = 4_102_444_800;
const NOW: u64 = 1_796_515_200;

/// Keep in sync with `fuzz/seeds/session_handle` (crates/backend/tests/properties.rs checks it).
fn originals() -> &'static [(String, Session)] {
    static ORIGINALS: OnceLock<Vec<(String, Session)>> = OnceLock::new();
    ORIGINALS.get_or_init(|| {
        [("visitor-1", "CH00000000000000000000000000000001"), ("alice", "CH1")]
            .iter()
            .map(|(identity, conversation)| {
                let session = Session {
                    identity: (*identity).to_owned(),
                    conversation: (*conversation).to_owned(),
                    expires: Some(EXPIRES),
                };
                (session.seal(SECRET), session)
            })
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(candidate) = std::str::from_utf8(data) else { return };
    if let Ok(opened) = Session::open(candidate, SECRET, NOW) {
        assert!(
            originals().iter().any(|(handle, session)| handle == candidate && *session == opened),
            "a handle that was never sealed opens: {candidate:?} -> {opened:?}"
        );
    }
});
