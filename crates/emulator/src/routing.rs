//! Tunnelled HTTP as the emulator sees it: a decoded request from a twilsock `message` frame
//! and the JSON response that goes back in the `reply`.

use std::collections::HashMap;

use convo_wire::{message::Upstream, TwilioError};
use serde_json::{Map, Value};

/// A tunnelled request, decoded: path segments and parameters are percent-decoded, the body
/// parsed as JSON or as a form.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub(crate) method: String,
    pub(crate) segments: Vec<String>,
    pub(crate) params: HashMap<String, String>,
    pub(crate) body: Value,
    /// Who is asking: the identity of the connection's token.
    pub(crate) identity: String,
    /// `X-Twilio-Mutation-Id`: the client's idempotency key for a command.
    pub(crate) mutation_id: Option<String>,
}

/// A JSON response with an HTTP status.
#[derive(Debug, Clone)]
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) body: Value,
}

pub(crate) type Result<T = Response, E = TwilioError> = std::result::Result<T, E>;

impl Response {
    pub(crate) fn ok(body: Value) -> Self {
        Response { status: 200, body }
    }

    pub(crate) fn created(body: Value) -> Self {
        Response { status: 201, body }
    }
}

impl Request {
    /// Decodes an upstream frame's request line, parameters and payload.
    pub(crate) fn from_upstream(
        upstream: &Upstream,
        payload: &[u8],
        identity: &str,
    ) -> Result<Self> {
        let http = &upstream.http_request;
        let segments = http
            .path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| {
                percent_decode(s)
                    .ok_or_else(|| bad_request(format!("bad percent-encoding in path: {s}")))
            })
            .collect::<Result<Vec<_>>>()?;
        let mut params = HashMap::new();
        for (name, value) in &http.params {
            // A repeated key arrives as an array; the first value is the one that counts.
            let value = match value {
                Value::Array(values) => values.first().cloned().unwrap_or(Value::Null),
                other => other.clone(),
            };
            let text = match value {
                Value::String(s) => s,
                Value::Null => String::new(),
                other => other.to_string(),
            };
            params.insert(
                percent_decode(name).unwrap_or_else(|| name.clone()),
                // Query values are percent-encoded but `+` stays literal: SDKs encode a space
                // as %20, and a `+` in a key must survive.
                percent_decode(&text).unwrap_or(text),
            );
        }
        let mutation_id = http
            .headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("x-twilio-mutation-id"))
            .and_then(|(_, value)| value.as_str())
            .filter(|id| !id.is_empty())
            .map(str::to_owned);
        Ok(Request {
            mutation_id,
            method: http.method.to_ascii_uppercase(),
            segments,
            params,
            body: parse_body(&upstream.payload_type, payload)?,
            identity: identity.to_owned(),
        })
    }

    pub(crate) fn param(&self, name: &str) -> Option<String> {
        self.params.get(name).cloned()
    }

    /// A string field of the body (`None` when absent or null).
    pub(crate) fn field(&self, name: &str) -> Option<&Value> {
        self.body.get(name).filter(|v| !v.is_null())
    }
}

fn parse_body(payload_type: &str, payload: &[u8]) -> Result<Value> {
    if payload.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    if payload_type.starts_with("application/x-www-form-urlencoded") {
        let text =
            std::str::from_utf8(payload).map_err(|_| bad_request("form body is not UTF-8"))?;
        return Ok(Value::Object(parse_form(text)));
    }
    match serde_json::from_slice(payload) {
        Ok(value) => Ok(value),
        // Sync sends its product id as a bare string on DELETEs (state.md §6.2).
        Err(_) if payload_type.starts_with("text/plain") => Ok(Value::Object(Map::new())),
        Err(e) => Err(bad_request(format!("body is not JSON: {e}"))),
    }
}

/// Parses `a=1&b=x%20y` into a JSON object of strings (repeated keys: the last wins).
pub(crate) fn parse_form(text: &str) -> Map<String, Value> {
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let decode =
                |s: &str| percent_decode(&s.replace('+', " ")).unwrap_or_else(|| s.to_owned());
            (decode(k), Value::String(decode(v)))
        })
        .collect()
}

/// Decodes `%XX` escapes; `None` when an escape is malformed or the result is not UTF-8.
pub(crate) fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

pub(crate) fn bad_request(message: impl Into<String>) -> TwilioError {
    TwilioError::new(400, 20001, message)
}

pub(crate) fn not_found(what: impl std::fmt::Display) -> TwilioError {
    TwilioError::new(404, 20404, format!("The requested resource {what} was not found"))
}

pub(crate) fn forbidden(message: impl Into<String>) -> TwilioError {
    TwilioError::new(403, 20403, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_percent_decoding() {
        assert_eq!(percent_decode("a%2Fb%20c").as_deref(), Some("a/b c"));
        assert_eq!(percent_decode("Zo%C3%AB").as_deref(), Some("Zoë"));
        assert_eq!(percent_decode("bad%2"), None);
        assert_eq!(percent_decode("%FF"), None);
    }

    #[test]
    fn test_form_parsing() {
        let form = parse_form("ChannelSid=CH1&Body=hello+w%C3%B6rld&Empty=");
        assert_eq!(form["ChannelSid"], "CH1");
        assert_eq!(form["Body"], "hello wörld");
        assert_eq!(form["Empty"], "");
    }
}
