//! Webhook signatures: `X-Twilio-Signature` is base64(HMAC-SHA1(auth token, URL + each POST
//! parameter's name and value, concatenated in name order)). The emulator signs with this and
//! the backend verifies with it, so the two cannot disagree; tests check it against an
//! independent implementation.

use base64::{engine::general_purpose::STANDARD, Engine as _};
use hmac::{Hmac, Mac};
use sha1::Sha1;

/// The signature of a form-encoded POST to `url` with `params`.
pub fn signature(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    STANDARD.encode(mac(auth_token, url, params).finalize().into_bytes())
}

/// Whether `signature` (the header's value) is right, compared in constant time.
pub fn verify(auth_token: &str, url: &str, params: &[(String, String)], signature: &str) -> bool {
    let Ok(expected) = STANDARD.decode(signature.trim()) else { return false };
    mac(auth_token, url, params).verify_slice(&expected).is_ok()
}

fn mac(auth_token: &str, url: &str, params: &[(String, String)]) -> Hmac<Sha1> {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    // Sorted by name; a repeated name keeps its values in a stable (value) order.
    sorted.sort();
    let mut mac =
        Hmac::<Sha1>::new_from_slice(auth_token.as_bytes()).expect("HMAC takes any key length");
    mac.update(url.as_bytes());
    for (name, value) in sorted {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    mac
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn test_matches_an_independent_implementation() {
        // Expected value computed with Python's standard library:
        // base64(hmac.new(b"12345", (url + "".join(k + p[k] for k in sorted(p))).encode(), sha1)).
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        let p = params(&[
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+12349013030"),
            ("Digits", "1234"),
            ("From", "+12349013030"),
            ("To", "+18005551212"),
        ]);
        assert_eq!(signature("12345", url, &p), "0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
        assert!(verify("12345", url, &p, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="));
        assert!(!verify("12345", url, &p, "0/KCTR6DLpKmkAf8muzZqo1nDgR="));
        assert!(!verify("54321", url, &p, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="));
        assert!(!verify("12345", url, &p, "not base64!"));
    }

    #[test]
    fn test_parameter_order_does_not_matter() {
        let a = params(&[("b", "2"), ("a", "1")]);
        let b = params(&[("a", "1"), ("b", "2")]);
        assert_eq!(signature("t", "http://x/", &a), signature("t", "http://x/", &b));
    }
}
