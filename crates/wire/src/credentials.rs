//! Twilio credentials under the environment names Twilio's own docs use, with development
//! defaults so the emulator and backend run with no account at all.

/// Account and API-key credentials plus the Conversations service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// `TWILIO_ACCOUNT_SID` (AC…).
    pub account_sid: String,
    /// `TWILIO_AUTH_TOKEN`: REST Basic auth with the account SID, webhook signatures.
    pub auth_token: String,
    /// `TWILIO_API_KEY` (SK…): the access token issuer, REST Basic auth user.
    pub api_key: String,
    /// `TWILIO_API_SECRET`: signs access tokens.
    pub api_secret: String,
    /// `TWILIO_CHAT_SERVICE_SID` or `TWILIO_CONVERSATIONS_SERVICE_SID` (IS…).
    pub chat_service_sid: String,
}

/// Development defaults, used for any variable that is unset. They are public on purpose:
/// they only ever authenticate against the local emulator.
pub mod dev {
    /// Default `TWILIO_ACCOUNT_SID`.
    pub const ACCOUNT_SID: &str = "AC00000000000000000000000000000000";
    /// Default `TWILIO_AUTH_TOKEN`.
    pub const AUTH_TOKEN: &str = "convo-dev-auth-token";
    /// Default `TWILIO_API_KEY`.
    pub const API_KEY: &str = "SK00000000000000000000000000000000";
    /// Default `TWILIO_API_SECRET`.
    pub const API_SECRET: &str = "convo-dev-api-secret";
    /// Default `TWILIO_CHAT_SERVICE_SID`.
    pub const CHAT_SERVICE_SID: &str = "IS00000000000000000000000000000000";
}

/// The environment variable names, in the order they are documented.
pub const ENV_NAMES: [&str; 5] = [
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "TWILIO_API_KEY",
    "TWILIO_API_SECRET",
    "TWILIO_CHAT_SERVICE_SID",
];

impl Credentials {
    /// The development defaults.
    pub fn development() -> Self {
        Credentials {
            account_sid: dev::ACCOUNT_SID.to_owned(),
            auth_token: dev::AUTH_TOKEN.to_owned(),
            api_key: dev::API_KEY.to_owned(),
            api_secret: dev::API_SECRET.to_owned(),
            chat_service_sid: dev::CHAT_SERVICE_SID.to_owned(),
        }
    }

    /// Reads each value through `lookup` (normally `std::env::var`), falling back to the
    /// development default for whatever is unset or empty.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let get = |name: &str| lookup(name).filter(|v| !v.is_empty());
        let dev = Credentials::development();
        Credentials {
            account_sid: get("TWILIO_ACCOUNT_SID").unwrap_or(dev.account_sid),
            auth_token: get("TWILIO_AUTH_TOKEN").unwrap_or(dev.auth_token),
            api_key: get("TWILIO_API_KEY").unwrap_or(dev.api_key),
            api_secret: get("TWILIO_API_SECRET").unwrap_or(dev.api_secret),
            chat_service_sid: get("TWILIO_CHAT_SERVICE_SID")
                .or_else(|| get("TWILIO_CONVERSATIONS_SERVICE_SID"))
                .unwrap_or(dev.chat_service_sid),
        }
    }

    /// Whether these are the development defaults (no real account configured).
    pub fn is_development(&self) -> bool {
        self.account_sid == dev::ACCOUNT_SID
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_unset_and_empty_fall_back_to_defaults() {
        let creds = Credentials::from_lookup(|name| match name {
            "TWILIO_API_SECRET" => Some("s3cret".to_owned()),
            "TWILIO_AUTH_TOKEN" => Some(String::new()),
            "TWILIO_CONVERSATIONS_SERVICE_SID" => Some("IS1".to_owned()),
            _ => None,
        });
        assert_eq!(creds.api_secret, "s3cret");
        assert_eq!(creds.auth_token, dev::AUTH_TOKEN);
        assert_eq!(creds.chat_service_sid, "IS1");
        assert!(creds.is_development());
    }
}
