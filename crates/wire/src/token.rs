//! Twilio access tokens: a three-part HS256 JWT with header `cty: twilio-fpa;v=1`, signed with
//! the API key secret. The backend mints them, the emulator verifies them; the client only
//! forwards them.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::TokenError;

type HmacSha256 = Hmac<Sha256>;

/// The longest lifetime Twilio accepts for an access token (24 h).
pub const MAX_TTL_SECS: u64 = 24 * 60 * 60;

/// The JOSE header of a Twilio access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenHeader {
    /// Signature algorithm; only `HS256` is accepted.
    pub alg: String,
    /// `JWT`.
    pub typ: String,
    /// `twilio-fpa;v=1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cty: Option<String>,
}

/// The chat (Conversations) grant.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ChatGrant {
    /// The Conversations service (IS…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_sid: Option<String>,
    /// Optional endpoint id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_id: Option<String>,
    /// Optional push credential (CR…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub push_credential_sid: Option<String>,
}

/// The `grants` claim.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Grants {
    /// The user identity the token speaks for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// The chat grant, present for Conversations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chat: Option<ChatGrant>,
}

/// The claims of a Twilio access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// `<api key sid>-<iat>`.
    pub jti: String,
    /// What the token allows.
    pub grants: Grants,
    /// Issued at (Unix seconds).
    #[serde(default)]
    pub iat: u64,
    /// Expiry (Unix seconds).
    pub exp: u64,
    /// Not before (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<u64>,
    /// The API key SID (SK…).
    pub iss: String,
    /// The account SID (AC…).
    pub sub: String,
}

impl Claims {
    /// Claims for a Conversations chat user, valid from `now` for `ttl_secs` (capped at 24 h).
    pub fn chat(
        account_sid: &str,
        api_key: &str,
        service_sid: &str,
        identity: &str,
        now: u64,
        ttl_secs: u64,
    ) -> Self {
        Claims {
            jti: format!("{api_key}-{now}"),
            grants: Grants {
                identity: Some(identity.to_owned()),
                chat: Some(ChatGrant {
                    service_sid: Some(service_sid.to_owned()),
                    ..ChatGrant::default()
                }),
            },
            iat: now,
            exp: now + ttl_secs.min(MAX_TTL_SECS),
            nbf: None,
            iss: api_key.to_owned(),
            sub: account_sid.to_owned(),
        }
    }

    /// The identity grant, if any.
    pub fn identity(&self) -> Option<&str> {
        self.grants.identity.as_deref()
    }
}

/// Signs `claims` with the API key secret.
pub fn sign(claims: &Claims, api_secret: &str) -> String {
    let header = TokenHeader {
        alg: "HS256".to_owned(),
        typ: "JWT".to_owned(),
        cty: Some("twilio-fpa;v=1".to_owned()),
    };
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header).unwrap_or_default()),
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap_or_default())
    );
    let signature = URL_SAFE_NO_PAD.encode(mac(api_secret, &signing_input).finalize().into_bytes());
    format!("{signing_input}.{signature}")
}

/// Checks the signature with `api_secret` and the validity window against `now` (Unix seconds),
/// and returns the claims.
pub fn verify(token: &str, api_secret: &str, now: u64) -> Result<Claims, TokenError> {
    let mut parts = token.split('.');
    let (Some(header_b64), Some(claims_b64), Some(signature_b64), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed("not three dot-separated parts"));
    };
    let header: TokenHeader = decode_part(header_b64, "header")?;
    if header.alg != "HS256" {
        return Err(TokenError::UnsupportedAlgorithm);
    }
    let signature = URL_SAFE_NO_PAD
        .decode(signature_b64)
        .map_err(|_| TokenError::Malformed("signature is not base64url"))?;
    mac(api_secret, &token[..header_b64.len() + 1 + claims_b64.len()])
        .verify_slice(&signature)
        .map_err(|_| TokenError::BadSignature)?;
    let claims: Claims = decode_part(claims_b64, "claims")?;
    if claims.exp <= now {
        return Err(TokenError::Expired);
    }
    if claims.nbf.is_some_and(|nbf| nbf > now) {
        return Err(TokenError::NotYetValid);
    }
    Ok(claims)
}

fn mac(secret: &str, input: &str) -> HmacSha256 {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(input.as_bytes());
    mac
}

fn decode_part<T: serde::de::DeserializeOwned>(
    part: &str,
    what: &'static str,
) -> Result<T, TokenError> {
    let bytes = URL_SAFE_NO_PAD.decode(part).map_err(|_| TokenError::Malformed(what))?;
    serde_json::from_slice(&bytes).map_err(|_| TokenError::Malformed(what))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_795_238_603;

    fn claims() -> Claims {
        Claims::chat(
            "AC00000000000000000000000000000000",
            "SK00000000000000000000000000000000",
            "IS00000000000000000000000000000000",
            "alice",
            NOW,
            3600,
        )
    }

    #[test]
    fn test_signed_token_verifies_and_keeps_claims() {
        let token = sign(&claims(), "secret");
        let got = verify(&token, "secret", NOW + 10).unwrap();
        assert_eq!(got, claims());
        assert_eq!(got.identity(), Some("alice"));
        assert_eq!(got.exp, NOW + 3600);
    }

    #[test]
    fn test_header_is_twilio_fpa() {
        let token = sign(&claims(), "secret");
        let header = URL_SAFE_NO_PAD.decode(token.split('.').next().unwrap()).unwrap();
        assert_eq!(header, br#"{"alg":"HS256","typ":"JWT","cty":"twilio-fpa;v=1"}"#);
    }

    #[test]
    fn test_the_official_sdk_capture_token_verifies_with_its_secret_shape() {
        // Token from captures/first-frames.log: HS256, cty twilio-fpa;v=1, identity alice.
        let token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCIsImN0eSI6InR3aWxpby1mcGE7dj0xIn0.eyJqdGkiOiJTSzAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwLTE3OTUyMzg2MDMiLCJncmFudHMiOnsiaWRlbnRpdHkiOiJhbGljZSIsImNoYXQiOnsic2VydmljZV9zaWQiOiJJUzAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwIn19LCJpYXQiOjE3OTUyMzg2MDMsImV4cCI6MTc5NTI0MjIwMywiaXNzIjoiU0swMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMCIsInN1YiI6IkFDMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAifQ._uoLD-T_k4BWmC-7dd9BTBHLw5TBF6Y49T_p_M_U3Kk";
        // We do not know the capture's secret, so the signature must be refused — but only the
        // signature: the structure parses.
        assert_eq!(verify(token, "not-the-secret", NOW), Err(TokenError::BadSignature));
        // Re-signing its own claims with a known secret yields the same header and claims bytes.
        let claims: Claims = decode_part(token.split('.').nth(1).unwrap(), "claims").unwrap();
        assert_eq!(
            claims,
            Claims::chat(
                "AC00000000000000000000000000000000",
                "SK00000000000000000000000000000000",
                "IS00000000000000000000000000000000",
                "alice",
                NOW,
                3600,
            )
        );
        let ours = sign(&claims, "s");
        assert_eq!(ours.rsplit_once('.').unwrap().0, token.rsplit_once('.').unwrap().0);
    }

    #[test]
    fn test_refusals() {
        let token = sign(&claims(), "secret");
        assert_eq!(verify(&token, "wrong", NOW), Err(TokenError::BadSignature));
        assert_eq!(verify(&token, "secret", NOW + 3600), Err(TokenError::Expired));
        assert_eq!(TokenError::Expired.twilio_code(), 20104);
        assert_eq!(TokenError::BadSignature.twilio_code(), 20101);
        for bad in ["", "a.b", "a.b.c.d", "!!.!!.!!", "e30.e30.e30"] {
            assert!(verify(bad, "secret", NOW).is_err(), "{bad}");
        }
        let mut forged = claims();
        forged.grants.identity = Some("mallory".into());
        let (head, _) = token.rsplit_once('.').unwrap();
        let sig = token.rsplit('.').next().unwrap();
        let forged_token = format!(
            "{}.{}.{sig}",
            head.split('.').next().unwrap(),
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged).unwrap())
        );
        assert_eq!(verify(&forged_token, "secret", NOW), Err(TokenError::BadSignature));
        let mut later = claims();
        later.nbf = Some(NOW + 100);
        assert_eq!(verify(&sign(&later, "secret"), "secret", NOW), Err(TokenError::NotYetValid));
        assert_eq!(
            Claims::chat("AC", "SK", "IS", "a", NOW, 10 * MAX_TTL_SECS).exp,
            NOW + MAX_TTL_SECS
        );
    }
}
