//! Visitor session handles: an opaque, signed `{identity, conversation}` the widget keeps and
//! presents to resume its conversation or refresh its token. Stateless, so any backend
//! instance can check one, and tamper-proof (HMAC-SHA256 with the session secret).

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
}

impl Session {
    /// The signed handle.
    pub fn seal(&self, secret: &str) -> String {
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default());
        let signature = URL_SAFE_NO_PAD.encode(mac(secret, &payload).finalize().into_bytes());
        format!("{payload}.{signature}")
    }

    /// The session a handle names, if its signature verifies.
    pub fn open(handle: &str, secret: &str) -> Option<Session> {
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

    #[test]
    fn test_handles_round_trip_and_resist_tampering() {
        let session = Session { identity: "visitor-1".into(), conversation: "CH1".into() };
        let handle = session.seal("secret");
        assert_eq!(Session::open(&handle, "secret"), Some(session));
        assert_eq!(Session::open(&handle, "other"), None);
        let forged = Session { identity: "admin".into(), conversation: "CH1".into() }.seal("guess");
        assert_eq!(Session::open(&forged, "secret"), None);
        let (_, signature) = handle.split_once('.').unwrap();
        let swapped =
            format!("{}.{signature}", URL_SAFE_NO_PAD.encode(br#"{"i":"admin","c":"CH1"}"#));
        assert_eq!(Session::open(&swapped, "secret"), None);
        for junk in ["", ".", "a.b", "not-a-handle"] {
            assert_eq!(Session::open(junk, "secret"), None);
        }
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
