//! Visitor session handles: an opaque, signed `{identity, conversation, expiry}` the widget
//! keeps and presents to resume its conversation or refresh its token. Stateless, so any
//! backend instance can check one, and tamper-proof (HMAC-SHA256 with the session secret).
//!
//! Every grant seals a new handle with a fresh expiry (`CONVO_SESSION_TTL`); an older handle
//! stays good until its own expiry, so two tabs refreshing the same session never lock each
//! other out, and a handle nobody refreshes stops working.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// What a session handle names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The visitor's chat identity.
    #[serde(rename = "i")]
    pub identity: String,
    /// Their conversation (CH…).
    #[serde(rename = "c")]
    pub conversation: String,
    /// Unix seconds after which the handle is refused. Handles from before expiries existed
    /// have none and are refused as expired.
    #[serde(rename = "x", default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<u64>,
}

/// Why a handle was refused; the two get distinct errors so the widget can tell "start
/// again, quietly" (expired) from "something is wrong" (forged or corrupt).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not signed with this backend's secret, or not a handle at all.
    Invalid,
    /// Genuine, but past its expiry (or from before handles had one).
    Expired,
}

impl Session {
    /// The signed handle.
    pub fn seal(&self, secret: &str) -> String {
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default());
        let signature = URL_SAFE_NO_PAD.encode(mac(secret, &payload).finalize().into_bytes());
        format!("{payload}.{signature}")
    }

    /// The session a handle names, if its signature verifies and it has not expired at `now`
    /// (Unix seconds).
    pub fn open(handle: &str, secret: &str, now: u64) -> Result<Session, Refusal> {
        let session = Self::verify(handle, secret).ok_or(Refusal::Invalid)?;
        match session.expires {
            Some(expires) if now < expires => Ok(session),
            _ => Err(Refusal::Expired),
        }
    }

    fn verify(handle: &str, secret: &str) -> Option<Session> {
        let (payload, signature) = handle.split_once('.')?;
        let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
        mac(secret, payload).verify_slice(&signature).ok()?;
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
    }
}

/// Checks a host's signature of its own user id: lowercase hex HMAC-SHA256(secret, identity),
/// the scheme Chatwoot and Intercom use for identity verification.
pub fn identity_signature_valid(secret: &str, identity: &str, signature: &str) -> bool {
    let Some(bytes) = hex_decode(signature.trim()) else { return false };
    mac(secret, identity).verify_slice(&bytes).is_ok()
}

/// The signature a host computes for `identity` (documented for site owners; used in tests).
pub fn identity_signature(secret: &str, identity: &str) -> String {
    mac(secret, identity).finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

fn mac(secret: &str, input: &str) -> Hmac<Sha256> {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(input.as_bytes());
    mac
}

/// Exactly 64 hex digits (a SHA-256). Stricter than `u8::from_str_radix`, which also takes a
/// sign: `+6` would pass for `06`, so one signature would have many spellings.
fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if s.len() != 64 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(identity: &str, expires: Option<u64>) -> Session {
        Session { identity: identity.into(), conversation: "CH1".into(), expires }
    }

    #[test]
    fn test_handles_round_trip_and_resist_tampering() {
        let session = session("visitor-1", Some(1000));
        let handle = session.seal("secret");
        assert_eq!(Session::open(&handle, "secret", 999), Ok(session));
        assert_eq!(Session::open(&handle, "other", 999), Err(Refusal::Invalid));
        let forged = self::session("admin", Some(1000)).seal("guess");
        assert_eq!(Session::open(&forged, "secret", 999), Err(Refusal::Invalid));
        let (_, signature) = handle.split_once('.').unwrap();
        let swapped = format!(
            "{}.{signature}",
            URL_SAFE_NO_PAD.encode(br#"{"i":"admin","c":"CH1","x":1000}"#)
        );
        assert_eq!(Session::open(&swapped, "secret", 999), Err(Refusal::Invalid));
        for junk in ["", ".", "a.b", "not-a-handle"] {
            assert_eq!(Session::open(junk, "secret", 999), Err(Refusal::Invalid));
        }
    }

    #[test]
    fn test_handles_expire_and_old_handles_without_an_expiry_count_as_expired() {
        let handle = session("visitor-1", Some(1000)).seal("secret");
        assert!(Session::open(&handle, "secret", 999).is_ok());
        assert_eq!(Session::open(&handle, "secret", 1000), Err(Refusal::Expired));
        assert_eq!(Session::open(&handle, "secret", 5000), Err(Refusal::Expired));
        // A handle sealed before expiries existed: `{"i":…,"c":…}` only.
        let legacy = session("visitor-1", None).seal("secret");
        assert!(!legacy.is_empty());
        assert_eq!(Session::open(&legacy, "secret", 0), Err(Refusal::Expired));
        // The expiry is under the signature: pushing it out breaks the handle.
        let (_, signature) = handle.split_once('.').unwrap();
        let extended = format!(
            "{}.{signature}",
            URL_SAFE_NO_PAD.encode(br#"{"i":"visitor-1","c":"CH1","x":99999}"#)
        );
        assert_eq!(Session::open(&extended, "secret", 2000), Err(Refusal::Invalid));
    }

    #[test]
    fn test_identity_signatures() {
        let signature = identity_signature("host-secret", "user-42");
        assert_eq!(signature.len(), 64);
        assert!(identity_signature_valid("host-secret", "user-42", &signature));
        assert!(identity_signature_valid("host-secret", "user-42", &signature.to_uppercase()));
        assert!(!identity_signature_valid("host-secret", "user-43", &signature));
        assert!(!identity_signature_valid("other", "user-42", &signature));
        assert!(!identity_signature_valid("host-secret", "user-42", "zz"));
    }

    #[test]
    fn test_a_signature_has_exactly_one_spelling_of_64_hex_digits() {
        // F12: `+6` parsed as 0x06, so signatures were malleable.
        let secret = "host-secret";
        let identity = (0..)
            .map(|n| format!("user-{n}"))
            .find(|id| identity_signature(secret, id).starts_with('0'))
            .unwrap();
        let signature = identity_signature(secret, &identity);
        assert!(identity_signature_valid(secret, &identity, &signature));
        let plus = format!("+{}", &signature[1..]);
        assert!(!identity_signature_valid(secret, &identity, &plus), "{plus}");
        assert!(!identity_signature_valid(secret, &identity, &format!("{signature}00")));
        assert!(!identity_signature_valid(secret, &identity, &signature[..62]));
        assert!(!identity_signature_valid(secret, &identity, &format!("-{}", &signature[1..])));
    }
}
