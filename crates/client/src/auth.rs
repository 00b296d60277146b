//! Access tokens: where the client gets them. The SDK never inspects a token; neither do we.

use serde::Deserialize;

use crate::{
    platform::{self, BoxFuture, CredentialsMode, MaybeSend, MaybeSync},
    Error,
};

/// An access token and what the issuer said about it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Token {
    /// The JWT, forwarded verbatim in `init` and `update`.
    pub token: String,
    /// The identity it speaks for, when the issuer says.
    #[serde(default)]
    pub identity: Option<String>,
    /// When it expires (RFC 3339), when the issuer says.
    #[serde(default)]
    pub expires_at: Option<String>,
}

/// Supplies access tokens. The client calls it before every connection attempt and whenever
/// the server says the token is about to expire or has expired.
pub trait TokenProvider: MaybeSend + MaybeSync {
    /// A token valid for at least the next few minutes.
    fn fetch(&self) -> BoxFuture<'_, Result<Token, Error>>;
}

/// A fixed token, for hosts that mint tokens themselves and for tests.
#[derive(Debug, Clone)]
pub struct StaticTokenProvider(pub String);

impl TokenProvider for StaticTokenProvider {
    fn fetch(&self) -> BoxFuture<'_, Result<Token, Error>> {
        let token = Token { token: self.0.clone(), identity: None, expires_at: None };
        Box::pin(async move { Ok(token) })
    }
}

/// POSTs to the host backend's token endpoint and reads `{token, identity, expires_at}`.
#[derive(Debug, Clone)]
pub struct HttpTokenProvider {
    url: String,
    headers: Vec<(String, String)>,
    credentials: CredentialsMode,
    body: serde_json::Value,
}

impl HttpTokenProvider {
    /// Posts `{}` to `url`.
    pub fn new(url: impl Into<String>) -> Self {
        HttpTokenProvider {
            url: url.into(),
            headers: Vec::new(),
            credentials: CredentialsMode::default(),
            body: serde_json::Value::Object(Default::default()),
        }
    }

    /// Adds a request header (e.g. the host's own authorisation).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets the fetch credentials mode (cookies on cross-origin calls).
    pub fn credentials(mut self, mode: CredentialsMode) -> Self {
        self.credentials = mode;
        self
    }

    /// Sets the JSON body sent with each request.
    pub fn body(mut self, body: serde_json::Value) -> Self {
        self.body = body;
        self
    }
}

impl TokenProvider for HttpTokenProvider {
    fn fetch(&self) -> BoxFuture<'_, Result<Token, Error>> {
        Box::pin(async move {
            let response = platform::post_json(
                &self.url,
                &self.headers,
                self.credentials,
                self.body.to_string(),
            )
            .await?;
            if !(200..300).contains(&response.status) {
                return Err(Error::Http {
                    status: response.status,
                    message: error_message(&response.body),
                });
            }
            serde_json::from_slice::<Token>(&response.body).map_err(|e| Error::Http {
                status: response.status,
                message: format!("token endpoint answered without a token: {e}"),
            })
        })
    }
}

/// The `message` of a Twilio-shaped error body, or the body as text.
pub(crate) fn error_message(body: &[u8]) -> String {
    #[derive(Deserialize)]
    struct Body {
        message: String,
    }
    serde_json::from_slice::<Body>(body)
        .map(|b| b.message)
        .unwrap_or_else(|_| String::from_utf8_lossy(body).chars().take(200).collect())
}
