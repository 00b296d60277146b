//! The fuzz targets' properties (fuzz/fuzz_targets/frame.rs, token.rs) on the stable toolchain:
//! a seeded random-mutation sweep over the captured frames and valid tokens, a few seconds at
//! most, so every `cargo test` checks them. `scripts/fuzz` explores much further.

use std::path::{Path, PathBuf};

use convo_wire::{
    testing::{mutate, Rng},
    token::{self, Claims},
    Frame, RawFrame,
};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The fuzz seeds: frames taken from shared/protocol/captures.
fn frame_seeds() -> Vec<Vec<u8>> {
    let dir = repo().join("fuzz/seeds/frame");
    let mut seeds: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| std::fs::read(entry.unwrap().path()).unwrap())
        .collect();
    seeds.sort();
    seeds
}

#[test]
fn test_every_frame_seed_decodes_and_round_trips() {
    let seeds = frame_seeds();
    assert!(seeds.len() >= 20, "{} seeds", seeds.len());
    for seed in &seeds {
        let raw = RawFrame::decode(seed).expect("a seed is a captured, valid frame");
        assert_eq!(raw.encode(), *seed, "captured frames re-encode byte for byte");
        Frame::decode(seed).expect("typed decode");
    }
}

#[test]
fn test_mutated_frames_never_panic_and_what_decodes_round_trips() {
    let seeds = frame_seeds();
    let tokens: &[&[u8]] = &[
        b"TWILSOCK V3.0 ",
        b"\r\n",
        b"\"method\":\"reply\",",
        b"\"payload_size\":",
        b"\"status\":{\"code\":200}",
        b"null",
        b"1e308",
        b"-0",
        b"18446744073709551616",
        b"\"\\ud800\"",
        b"{}",
        b"[",
    ];
    let mut rng = Rng(0x5EED_F00D_1234_5678);
    let (mut decoded, mut typed) = (0, 0);
    for iteration in 0..30_000 {
        let seed = &seeds[rng.below(seeds.len())];
        let mutant = mutate(&mut rng, seed, tokens, &[]);
        // A mutant keeps its header length, so most fail on it; fix it up half the time so the
        // JSON parsing and typing behind it are exercised too.
        let mutant = if rng.below(2) == 0 { fix_header_length(&mutant) } else { mutant };
        if let Ok(raw) = RawFrame::decode(&mutant) {
            decoded += 1;
            assert_eq!(RawFrame::decode(&raw.encode()).as_ref(), Ok(&raw), "raw, #{iteration}");
        }
        if let Ok(frame) = Frame::decode(&mutant) {
            typed += 1;
            let again = Frame::decode(&frame.encode()).expect("re-encoded frame decodes");
            assert_eq!(again, frame, "typed round trip, #{iteration}");
        }
    }
    // The sweep must reach past the header line, or it proves little.
    assert!(decoded > 1_000 && typed > 500, "{decoded} decoded, {typed} typed");
}

#[test]
fn test_a_header_float_survives_decode_encode_decode() {
    // Found by scripts/fuzz: without serde_json's float_roundtrip, `11e83` decoded one ulp off
    // (1.1000000000000001e84), which printed and re-read as 1.1e84.
    let header = r#"{"method":"message","params":{"Order":11e83},"payload_size":0}"#;
    let bytes = format!("TWILSOCK V3.0 {}\r\n{header}\r\n", header.len()).into_bytes();
    let raw = RawFrame::decode(&bytes).unwrap();
    assert_eq!(raw.header["params"]["Order"].as_f64(), Some(1.1e84));
    assert_eq!(RawFrame::decode(&raw.encode()).unwrap(), raw);
}

/// Rewrites the declared header length and payload size to match the (mutated) bytes, when
/// the structure is still recognisable.
fn fix_header_length(bytes: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(bytes);
    let Some(rest) = text.strip_prefix("TWILSOCK V3.0 ") else { return bytes.to_vec() };
    let Some((_, after_line)) = rest.split_once("\r\n") else { return bytes.to_vec() };
    let (header, payload) = after_line.split_once("\r\n").unwrap_or((after_line, ""));
    format!("TWILSOCK V3.0 {}\r\n{header}\r\n{payload}", header.len()).into_bytes()
}

const SECRET: &str = "convo-dev-api-secret";
const NOW: u64 = 1_795_238_603;

/// The fuzz target's valid tokens (fuzz/fuzz_targets/token.rs).
fn token_originals() -> Vec<String> {
    ["alice", "visitor-4f1c2a", "agent"]
        .iter()
        .map(|identity| {
            let claims = Claims::chat(
                "AC00000000000000000000000000000000",
                "SK00000000000000000000000000000000",
                "IS00000000000000000000000000000000",
                identity,
                NOW,
                3600,
            );
            token::sign(&claims, SECRET)
        })
        .collect()
}

#[test]
fn test_token_seeds_are_the_fuzz_targets_originals() {
    let originals = token_originals();
    for identity in ["alice", "visitor-4f1c2a", "agent"] {
        let seed = std::fs::read_to_string(repo().join("fuzz/seeds/token").join(identity)).unwrap();
        assert!(originals.contains(&seed), "fuzz/seeds/token/{identity} is out of date");
        assert!(token::verify(&seed, SECRET, NOW + 1).is_ok());
    }
}

#[test]
fn test_no_mutant_of_a_valid_token_verifies() {
    let originals = token_originals();
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ";
    let tokens: &[&[u8]] = &[b".", b"==", b"eyJ", b"AAAA"];
    let mut rng = Rng(0xC0FF_EE00_DEAD_BEEF);
    for iteration in 0..20_000 {
        let original = &originals[rng.below(originals.len())];
        let mutant = mutate(&mut rng, original.as_bytes(), tokens, alphabet);
        let Ok(candidate) = std::str::from_utf8(&mutant) else { continue };
        if token::verify(candidate, SECRET, NOW + 1).is_ok() {
            assert!(
                originals.iter().any(|o| o == candidate),
                "#{iteration}: {candidate:?} verifies"
            );
        }
    }
}
