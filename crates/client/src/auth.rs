//! Access tokens: where the client gets them. The SDK never inspects a token; neither do we.

use convo_wire::json;
use convo_wire::object;
use serde::Deserialize;
use serde_json::Value;

use crate::{
    platform::{self, BoxFuture, CredentialsMode, MaybeSend, MaybeSync},
    Error, Observable,
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
    /// The twilsock URL to dial with it (the service's region), when the issuer says.
    #[serde(default)]
    pub twilsock_url: Option<String>,
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
        let token =
            Token { token: self.0.clone(), identity: None, expires_at: None, twilsock_url: None };
        Box::pin(async move { Ok(token) })
    }
}

/// A visitor session with a Convo backend: who the visitor is, their conversation, and the
/// signed handle that resumes it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct SessionInfo {
    /// The visitor's chat identity.
    pub identity: String,
    /// Their conversation (CH…).
    pub conversation_sid: String,
    /// The opaque handle to present to resume the session or refresh its token.
    pub session: String,
}

impl SessionInfo {
    /// From the JSON object [`SessionInfo::to_json`] makes (other keys ignored), as the serde
    /// derive reads it. By hand from a `Value`, which the wasm parses anyway: the derive's
    /// visitor would be code of its own in the shipped widget (issue 15).
    pub fn from_json(value: &Value) -> Option<SessionInfo> {
        let text = |key: &str| value.get(key)?.as_str().map(str::to_owned);
        Some(SessionInfo {
            identity: text("identity")?,
            conversation_sid: text("conversation_sid")?,
            session: text("session")?,
        })
    }

    /// As JSON, in the serde derive's shape.
    pub fn to_json(&self) -> Value {
        object! {
            "identity": self.identity,
            "conversation_sid": self.conversation_sid,
            "session": self.session,
        }
    }
}

/// The backend's answer: a token and the session it belongs to, side by side in one object.
/// Read by hand from a `Value` ([`Grant::from_json`]): a derive (and worse, `#[serde(flatten)]`,
/// which buffers the body through serde's generic `Content` tree) costs the shipped wasm code
/// of its own (issue 15).
#[derive(Debug)]
struct Grant {
    token: String,
    expires_at: Option<String>,
    twilsock_url: Option<String>,
    session: SessionInfo,
}

impl Grant {
    /// The backend's JSON answer, read as a serde derive would: the strings required, the
    /// optional ones absent or `null`; what is not an object, or has a field of another
    /// type, is refused with why.
    fn from_json(body: &[u8]) -> Result<Grant, String> {
        let value: Value = json::parse(body).map_err(|e| e.to_string())?;
        if !value.is_object() {
            return Err("expected an object".to_owned());
        }
        let optional = |key: &str| match &value[key] {
            Value::Null => Ok(None),
            Value::String(text) => Ok(Some(text.clone())),
            _ => Err(format!("`{key}` is not a string")),
        };
        let required = |key: &str| optional(key)?.ok_or_else(|| format!("missing field `{key}`"));
        Ok(Grant {
            token: required("token")?,
            expires_at: optional("expires_at")?,
            twilsock_url: optional("twilsock_url")?,
            session: SessionInfo {
                identity: required("identity")?,
                conversation_sid: required("conversation_sid")?,
                session: required("session")?,
            },
        })
    }
}

/// Speaks the Convo backend's visitor protocol: the first fetch starts a session
/// (`POST {session_url}` with the pre-chat form, or resumes one given by [`Self::resume`]); every
/// later fetch refreshes that session's token (`POST {token_url} {session}`). A refresh never
/// creates a new conversation.
#[derive(Debug, Clone)]
pub struct SessionTokenProvider {
    session_url: String,
    token_url: String,
    form: serde_json::Map<String, serde_json::Value>,
    headers: Vec<(String, String)>,
    credentials: CredentialsMode,
    session: Observable<Option<SessionInfo>>,
    resume: Option<String>,
}

impl SessionTokenProvider {
    /// A provider for a backend's session and token endpoints.
    pub fn new(session_url: impl Into<String>, token_url: impl Into<String>) -> Self {
        SessionTokenProvider {
            session_url: session_url.into(),
            token_url: token_url.into(),
            form: Default::default(),
            headers: Vec::new(),
            credentials: CredentialsMode::default(),
            session: Observable::new(None),
            resume: None,
        }
    }

    /// Fields sent when starting a session (`name`, `email`, `question`, `locale`,
    /// `attributes`, `identity` + `identity_signature`, `new_conversation`).
    pub fn form(mut self, form: serde_json::Map<String, serde_json::Value>) -> Self {
        self.form = form;
        self
    }

    /// Continues a stored session: the first fetch refreshes its token (which works for a
    /// closed conversation too, to show its history) instead of starting a session.
    pub fn with_session(self, session: SessionInfo) -> Self {
        self.session.set(Some(session));
        self
    }

    /// Resumes a stored session handle instead of starting afresh.
    pub fn resume(mut self, handle: impl Into<String>) -> Self {
        self.resume = Some(handle.into());
        self
    }

    /// Adds a request header.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets the fetch credentials mode.
    pub fn credentials(mut self, mode: CredentialsMode) -> Self {
        self.credentials = mode;
        self
    }

    /// The current session, and its changes (for the application to persist the handle).
    pub fn session(&self) -> Observable<Option<SessionInfo>> {
        self.session.clone()
    }

    /// POSTs `fields` with the current session's handle as `session` to another of the
    /// backend's endpoints (ending or rating the chat), with this provider's headers and
    /// credentials. A refusal is [`Error::Http`] with the backend's message.
    pub async fn post_with_session(
        &self,
        url: &str,
        mut fields: serde_json::Map<String, serde_json::Value>,
    ) -> Result<(), Error> {
        let session = self.session.get().ok_or_else(|| Error::Http {
            status: 401,
            message: "there is no session yet".to_owned(),
        })?;
        fields.insert("session".to_owned(), session.session.into());
        self.send(url, serde_json::Value::Object(fields)).await.map(drop)
    }

    /// POSTs `body`; the response's body, or the refusal as [`Error::Http`].
    async fn send(&self, url: &str, body: serde_json::Value) -> Result<Vec<u8>, Error> {
        let response =
            platform::post_json(url, &self.headers, self.credentials, json::text(&body)).await?;
        if !(200..300).contains(&response.status) {
            return Err(Error::Http {
                status: response.status,
                message: error_message(&response.body),
            });
        }
        Ok(response.body)
    }

    async fn post(&self, url: &str, body: serde_json::Value) -> Result<Grant, Error> {
        let body = self.send(url, body).await?;
        Grant::from_json(&body).map_err(|e| Error::Http {
            status: 200,
            message: format!("the backend answered without a session: {e}"),
        })
    }
}

impl TokenProvider for SessionTokenProvider {
    fn fetch(&self) -> BoxFuture<'_, Result<Token, Error>> {
        Box::pin(async move {
            let grant = match self.session.get() {
                Some(current) => {
                    self.post(&self.token_url, object! { "session": current.session }).await?
                }
                None => {
                    let mut form = self.form.clone();
                    if let Some(handle) = &self.resume {
                        form.insert("session".to_owned(), handle.clone().into());
                    }
                    self.post(&self.session_url, serde_json::Value::Object(form)).await?
                }
            };
            let identity = grant.session.identity.clone();
            self.session.set(Some(grant.session));
            Ok(Token {
                token: grant.token,
                identity: Some(identity),
                expires_at: grant.expires_at,
                twilsock_url: grant.twilsock_url,
            })
        })
    }
}

/// The `message` of a Twilio-shaped error body `{status, code, message, more_info}`, or the
/// body as text.
pub fn error_message(body: &[u8]) -> String {
    // From a `Value`, not a derived struct: no visitor of its own in the wasm (issue 15).
    json::parse(body)
        .ok()
        .and_then(|value| value.get("message")?.as_str().map(str::to_owned))
        .unwrap_or_else(|| String::from_utf8_lossy(body).chars().take(200).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_a_session_is_stored_and_read_back_as_the_serde_derive_does() {
        let info = SessionInfo {
            identity: "visitor-1".to_owned(),
            conversation_sid: "CH1".to_owned(),
            session: "handle".to_owned(),
        };
        let derived = serde_json::to_string(&info).unwrap();
        assert_eq!(info.to_json().to_string(), derived);
        let stored: Value = serde_json::from_str(&derived).unwrap();
        assert_eq!(SessionInfo::from_json(&stored), Some(info.clone()));
        let mut extra = stored.clone();
        extra["later"] = true.into();
        assert_eq!(SessionInfo::from_json(&extra), Some(info));
        let mut broken = stored;
        broken["session"] = 7.into();
        assert_eq!(SessionInfo::from_json(&broken), None);
        assert_eq!(SessionInfo::from_json(&Value::Null), None);
    }

    #[test]
    fn test_a_grant_needs_its_strings_and_takes_the_optional_ones_absent_or_null() {
        let body = |v: Value| v.to_string().into_bytes();
        let full = serde_json::json!({
            "token": "jwt", "expires_at": "2026-01-01T00:00:00Z", "twilsock_url": null,
            "identity": "visitor-1", "conversation_sid": "CH1", "session": "handle",
        });
        let grant = Grant::from_json(&body(full.clone())).unwrap();
        assert_eq!(
            (grant.token.as_str(), grant.expires_at.as_deref(), grant.twilsock_url.as_deref()),
            ("jwt", Some("2026-01-01T00:00:00Z"), None)
        );
        assert_eq!(grant.session.conversation_sid, "CH1");
        let mut missing = full.clone();
        missing.as_object_mut().unwrap().remove("session");
        assert_eq!(Grant::from_json(&body(missing)).unwrap_err(), "missing field `session`");
        let mut wrong = full;
        wrong["expires_at"] = 5.into();
        assert_eq!(Grant::from_json(&body(wrong)).unwrap_err(), "`expires_at` is not a string");
        assert!(Grant::from_json(b"[]").is_err() && Grant::from_json(b"not json").is_err());
    }

    #[test]
    fn test_an_error_body_gives_its_message_or_its_text() {
        assert_eq!(error_message(br#"{"status":403,"message":"no","code":1}"#), "no");
        assert_eq!(error_message(b"Bad gateway"), "Bad gateway");
        assert_eq!(error_message(br#"{"message":3}"#), r#"{"message":3}"#);
    }
}
