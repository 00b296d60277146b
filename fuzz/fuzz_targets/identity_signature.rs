//! Host identity signatures (hex HMAC-SHA256 of the user id): of everything derived from the
//! valid signature (the seed), only that signature verifies — in either hex case, which the
//! backend documents as accepted. Expected finding on a backend without the strict parser
//! (security review F12): `+6` in place of `06` verifies, because `u8::from_str_radix` takes a
//! sign. That is malleability, not forgery; the strict 64-hex-digit parser removes it.
#![no_main]

use std::sync::OnceLock;

use convo_backend::session::{identity_signature, identity_signature_valid};
use libfuzzer_sys::fuzz_target;

const SECRET: &str = "host-secret";
const IDENTITY: &str = "user-42";

/// Keep in sync with `fuzz/seeds/identity_signature` (crates/backend/tests/properties.rs checks it).
fn original() -> &'static str {
    static ORIGINAL: OnceLock<String> = OnceLock::new();
    ORIGINAL.get_or_init(|| identity_signature(SECRET, IDENTITY))
}

fuzz_target!(|data: &[u8]| {
    let Ok(candidate) = std::str::from_utf8(data) else { return };
    if identity_signature_valid(SECRET, IDENTITY, candidate) {
        assert!(
            candidate.trim().eq_ignore_ascii_case(original()),
            "a signature other than the original verifies: {candidate:?}"
        );
    }
});
