//! The fuzz targets' properties (fuzz/fuzz_targets/session_handle.rs, identity_signature.rs)
//! on the stable toolchain: seeded random mutants of valid session handles and identity
//! signatures never verify, unless they are the original. A second of work; `scripts/fuzz`
//! explores much further.

use std::path::{Path, PathBuf};

use convo_backend::session::{identity_signature, identity_signature_valid, Session};
use convo_wire::testing::{self, Rng};

/// Random edits of `input` drawn from `alphabet`, as text.
fn mutate(rng: &mut Rng, input: &str, alphabet: &[u8]) -> String {
    String::from_utf8(testing::mutate(rng, input.as_bytes(), &[], alphabet))
        .expect("the alphabets are ASCII")
}

fn seed(target: &str, name: &str) -> String {
    let repo: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    std::fs::read_to_string(repo.join("fuzz/seeds").join(target).join(name)).unwrap()
}

const SESSION_SECRET: &str = "convo-fuzz-session-secret";
/// The seeds expire on 2100-01-01 and are opened as of 2026-12-06 (Unix seconds), as the
/// fuzz target does.
const EXPIRES: u64 = 4_102_444_800;
const NOW: u64 = 1_796_515_200;

#[test]
fn test_no_mutant_of_a_session_handle_opens() {
    let sessions: Vec<Session> =
        [("visitor-1", "CH00000000000000000000000000000001"), ("alice", "CH1")]
            .iter()
            .map(|(i, c)| Session {
                identity: (*i).to_owned(),
                conversation: (*c).to_owned(),
                expires: Some(EXPIRES),
            })
            .collect();
    let originals: Vec<String> = sessions.iter().map(|s| s.seal(SESSION_SECRET)).collect();
    for (session, original) in sessions.iter().zip(&originals) {
        assert_eq!(
            seed("session_handle", &session.identity),
            *original,
            "fuzz/seeds/session_handle is out of date"
        );
    }
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ";
    let mut rng = Rng(0x0123_4567_89AB_CDEF);
    for iteration in 0..20_000 {
        let which = rng.below(originals.len());
        let candidate = mutate(&mut rng, &originals[which], alphabet);
        if let Ok(opened) = Session::open(&candidate, SESSION_SECRET, NOW) {
            assert!(
                originals.iter().zip(&sessions).any(|(o, s)| *o == candidate && *s == opened),
                "#{iteration}: {candidate:?} opens as {opened:?}"
            );
        }
    }
}

#[test]
fn test_no_mutant_of_an_identity_signature_verifies() {
    let (secret, identity) = ("host-secret", "user-42");
    let original = identity_signature(secret, identity);
    assert_eq!(seed("identity_signature", identity), original, "fuzz seed is out of date");
    let alphabet = b"0123456789abcdefABCDEF+- \t\ngxz";
    let mut rng = Rng(0xFEED_FACE_CAFE_BEEF);
    for iteration in 0..20_000 {
        let candidate = mutate(&mut rng, &original, alphabet);
        if !identity_signature_valid(secret, identity, &candidate) {
            continue;
        }
        // Accepted by design: either hex case, and surrounding whitespace (trimmed).
        if candidate.trim().eq_ignore_ascii_case(&original) {
            continue;
        }
        // Security review F12 (`+6` passing for `06`) is closed by the strict 64-hex-digit
        // parser: any other spelling that verifies is a failure.
        panic!("#{iteration}: {candidate:?} verifies for {identity}");
    }
}
