//! Access-token checks, one function for every door a client token opens (twilsock `init`
//! and `update`, MCS uploads and downloads), so none of them accepts what another refuses.

use convo_wire::{token, Credentials, TwilioError};

/// Verifies `token` for this emulator's account and service at `now` (Unix seconds): the
/// signature and expiry, the issuer (API key) and subject (account), a chat grant for this
/// service, and an identity. Returns `(identity, exp)`.
pub(crate) fn verify_token(
    credentials: &Credentials,
    token: &str,
    now: u64,
) -> Result<(String, u64), TwilioError> {
    let claims = token::verify(token, &credentials.api_secret, now)
        .map_err(|e| TwilioError::new(401, e.twilio_code(), capitalise(&e.to_string())))?;
    if claims.iss != credentials.api_key || claims.sub != credentials.account_sid {
        return Err(TwilioError::new(
            401,
            20101,
            "Access Token issuer or subject is not this account",
        ));
    }
    let service_ok = claims
        .grants
        .chat
        .as_ref()
        .and_then(|chat| chat.service_sid.as_deref())
        .is_some_and(|sid| sid == credentials.chat_service_sid);
    if !service_ok {
        return Err(TwilioError::new(
            401,
            20101,
            "Access Token has no chat grant for this service",
        ));
    }
    match claims.identity() {
        Some(identity) if !identity.is_empty() => Ok((identity.to_owned(), claims.exp)),
        _ => Err(TwilioError::new(401, 20101, "Access Token has no identity")),
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// Whether a secret given by a caller is the expected one, in time that does not depend on
/// where they differ (a timing side channel would give a password away byte by byte).
pub(crate) fn same_secret(given: &str, expected: &str) -> bool {
    use subtle::ConstantTimeEq;
    given.as_bytes().ct_eq(expected.as_bytes()).into()
}

#[cfg(test)]
mod secret_tests {
    use super::same_secret;

    #[test]
    fn test_secrets_compare_equal_only_when_equal() {
        assert!(same_secret("convo-dev-auth-token", "convo-dev-auth-token"));
        assert!(!same_secret("convo-dev-auth-tokeN", "convo-dev-auth-token"));
        assert!(!same_secret("convo", "convo-dev-auth-token"));
        assert!(!same_secret("", "x"));
    }
}
