//! Backend session handles: of everything derived from valid handles (the seeds), only those
//! very strings open. Anything else opening would let a visitor resume someone else's chat.
#![no_main]

use std::sync::OnceLock;

use convo_backend::session::Session;
use libfuzzer_sys::fuzz_target;

const SECRET: &str = "convo-fuzz-session-secret";

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
                };
                (session.seal(SECRET), session)
            })
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(candidate) = std::str::from_utf8(data) else { return };
    if let Some(opened) = Session::open(candidate, SECRET) {
        assert!(
            originals().iter().any(|(handle, session)| handle == candidate && *session == opened),
            "a handle that was never sealed opens: {candidate:?} -> {opened:?}"
        );
    }
});
