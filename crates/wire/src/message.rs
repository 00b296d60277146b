//! Typed twilsock messages.
//!
//! [`Frame`] pairs a [`Message`] (the header, typed by its `method`) with the raw payload bytes.
//! Each header struct lists its fields in the order the official client writes them and keeps
//! unknown fields in `extra`, so a frame decodes and re-encodes byte for byte.

use serde::{de::DeserializeOwned, Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{frame::RawFrame, Error};

/// The product every Conversations request and registration names.
pub const PRODUCT_IP_MESSAGING: &str = "ip_messaging";

/// Notification types a Conversations client registers for in `init`.
pub const CONVERSATIONS_MESSAGE_TYPES: [&str; 5] = [
    "twilio.ipmsg.typing_indicator",
    "twilio.sync.event",
    "com.twilio.rtd.cds.document",
    "com.twilio.rtd.cds.list",
    "com.twilio.rtd.cds.map",
];

/// A transport-level status, present on every `reply` and server `close`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// HTTP-like code: 2xx success, 401/403 denied, 410 token expired, 308 offload, …
    pub code: u16,
    /// Reason phrase.
    pub status: String,
    /// Twilio error code (e.g. 20104 "token expired").
    #[serde(rename = "errorCode", skip_serializing_if = "Option::is_none", default)]
    pub error_code: Option<u32>,
    /// Human-readable detail.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub description: Option<String>,
}

impl Status {
    /// `{code: 200, status: "OK"}`.
    pub fn ok() -> Self {
        Self::new(200, "OK")
    }

    /// A status with a code and reason phrase.
    pub fn new(code: u16, status: &str) -> Self {
        Status { code, status: status.to_owned(), error_code: None, description: None }
    }

    /// Adds a Twilio error code and description.
    pub fn with_error(mut self, error_code: u32, description: impl Into<String>) -> Self {
        self.error_code = Some(error_code);
        self.description = Some(description.into());
        self
    }

    /// Whether the code is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.code)
    }
}

/// An HTTP status carried inside a tunnelled reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpStatus {
    /// The HTTP status code.
    pub code: u16,
    /// The reason phrase.
    pub status: String,
}

/// One entry of `init.registrations`: which notification types a product wants.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Registration {
    /// Product id, `ip_messaging` for Conversations.
    pub product: String,
    /// Registration type (`ers`).
    #[serde(rename = "type")]
    pub kind: String,
    /// Always 0 from the official client.
    pub notification_protocol_version: u32,
    /// Notification `message_type`s to deliver on this connection.
    pub message_types: Vec<String>,
}

impl Registration {
    /// The registration a Conversations client sends.
    pub fn conversations() -> Self {
        Registration {
            product: PRODUCT_IP_MESSAGING.to_owned(),
            kind: "ers".to_owned(),
            notification_protocol_version: 0,
            message_types: CONVERSATIONS_MESSAGE_TYPES.iter().map(|t| (*t).to_owned()).collect(),
        }
    }
}

/// Client → server: authenticate and open the session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Init {
    /// Request id; the reply carries the same.
    pub id: String,
    /// The access token.
    pub token: String,
    /// The previous init reply's continuation token, or null.
    pub continuation_token: Option<String>,
    /// Informational client metadata.
    #[serde(default)]
    pub metadata: Value,
    /// Notification types to deliver.
    #[serde(default)]
    pub registrations: Vec<Registration>,
    /// Passthrough of the client option `tweaks`.
    #[serde(default)]
    pub tweaks: Value,
    /// Client capabilities (`client_update`, `offline_storage`, `telemetry.v1`).
    #[serde(default)]
    pub capabilities: Vec<String>,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Client → server: replace the token of a live session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Update {
    /// Request id.
    pub id: String,
    /// The new access token.
    pub token: String,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Either direction: the answer to a request (server) or an acknowledgement (client).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    /// The id of the request or server message being answered.
    pub id: String,
    /// Content type of the payload (before `status`, where the official client writes it).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub payload_type: Option<String>,
    /// Transport-level outcome.
    pub status: Status,
    /// Upstream HTTP outcome of a tunnelled request.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub http_status: Option<HttpStatus>,
    /// Upstream HTTP headers of a tunnelled request.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub http_headers: Option<Map<String, Value>>,
    /// Init reply: the token to send on the next init.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub continuation_token: Option<String>,
    /// Init reply: the confirmed capabilities.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub capabilities: Option<Vec<String>>,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Reply {
    /// A bare reply with a status.
    pub fn new(id: impl Into<String>, status: Status) -> Self {
        Reply {
            id: id.into(),
            status,
            http_status: None,
            http_headers: None,
            payload_type: None,
            continuation_token: None,
            capabilities: None,
            extra: Map::new(),
        }
    }

    /// The acknowledgement a client sends for a server `notification`, `ping`, … .
    pub fn ack(id: impl Into<String>) -> Self {
        let mut reply = Reply::new(id, Status::ok());
        reply.payload_type = Some("application/json".to_owned());
        reply
    }
}

/// The HTTP request tunnelled in an upstream `message`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HttpRequest {
    /// Host label (`aim.us1.twilio.com`, `cds.us1.twilio.com`); only a label for routing.
    pub host: String,
    /// Percent-encoded path without the query.
    pub path: String,
    /// `GET`, `POST`, `PUT` or `DELETE`.
    pub method: String,
    /// Query parameters, not percent-decoded; a repeated key is an array.
    #[serde(default)]
    pub params: Map<String, Value>,
    /// Request headers.
    #[serde(default)]
    pub headers: Map<String, Value>,
}

/// Client → server: a tunnelled HTTP request (twilsock `method: "message"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Upstream {
    /// Request id.
    pub id: String,
    /// Product grant, always `ip_messaging` for Conversations.
    pub active_grant: String,
    /// The request's content type.
    pub payload_type: String,
    /// The request line and headers.
    pub http_request: HttpRequest,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Server → client: a push addressed by `message_type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notification {
    /// Server message id; the client acks it.
    pub id: String,
    /// What the payload is (`twilio.sync.event`, `com.twilio.rtd.cds.list`, …).
    pub message_type: String,
    /// Content type of the payload.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub payload_type: Option<String>,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Server → client: session-level news, e.g. `token_about_to_expire`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientUpdate {
    /// Server message id.
    pub id: String,
    /// The kind of update.
    pub client_update_type: String,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Server → client liveness probe, or any other message with only an id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ping {
    /// Message id; the client acks it.
    pub id: String,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Either direction: end of the session. The server's carries a status that selects what the
/// client does next (308 reconnect elsewhere, 401 denied, 410 token expired, …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Close {
    /// Message id.
    pub id: String,
    /// Why (server → client only).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub status: Option<Status>,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A twilsock message header, typed by `method`.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// `init`
    Init(Init),
    /// `update`
    Update(Update),
    /// `reply`
    Reply(Reply),
    /// `message` (tunnelled HTTP)
    Upstream(Upstream),
    /// `notification`
    Notification(Notification),
    /// `client_update`
    ClientUpdate(ClientUpdate),
    /// `ping`
    Ping(Ping),
    /// `close`
    Close(Close),
    /// Any other method (`telemetry.v1`, `put_notification_ctx`, …), kept as raw JSON.
    Other {
        /// The method name.
        method: String,
        /// The rest of the header.
        header: Map<String, Value>,
    },
}

impl Message {
    /// The wire name of the method.
    pub fn method(&self) -> &str {
        match self {
            Message::Init(_) => "init",
            Message::Update(_) => "update",
            Message::Reply(_) => "reply",
            Message::Upstream(_) => "message",
            Message::Notification(_) => "notification",
            Message::ClientUpdate(_) => "client_update",
            Message::Ping(_) => "ping",
            Message::Close(_) => "close",
            Message::Other { method, .. } => method,
        }
    }

    /// The message id, when the header has one.
    pub fn id(&self) -> Option<&str> {
        match self {
            Message::Init(m) => Some(&m.id),
            Message::Update(m) => Some(&m.id),
            Message::Reply(m) => Some(&m.id),
            Message::Upstream(m) => Some(&m.id),
            Message::Notification(m) => Some(&m.id),
            Message::ClientUpdate(m) => Some(&m.id),
            Message::Ping(m) => Some(&m.id),
            Message::Close(m) => Some(&m.id),
            Message::Other { header, .. } => header.get("id").and_then(Value::as_str),
        }
    }

    fn from_header(method: &str, header: Map<String, Value>) -> Result<Self, Error> {
        fn typed<T: DeserializeOwned>(
            method: &str,
            header: Map<String, Value>,
        ) -> Result<T, Error> {
            serde_json::from_value(Value::Object(header)).map_err(|e| Error::InvalidHeader {
                method: method.to_owned(),
                reason: e.to_string(),
            })
        }
        Ok(match method {
            "init" => Message::Init(typed(method, header)?),
            "update" => Message::Update(typed(method, header)?),
            "reply" => Message::Reply(typed(method, header)?),
            "message" => Message::Upstream(typed(method, header)?),
            "notification" => Message::Notification(typed(method, header)?),
            "client_update" => Message::ClientUpdate(typed(method, header)?),
            "ping" => Message::Ping(typed(method, header)?),
            "close" => Message::Close(typed(method, header)?),
            other => Message::Other { method: other.to_owned(), header },
        })
    }

    fn to_header(&self) -> Map<String, Value> {
        fn fields<T: Serialize>(value: &T) -> Map<String, Value> {
            match serde_json::to_value(value) {
                Ok(Value::Object(map)) => map,
                // The header structs are plain field structs: they always serialize to objects.
                _ => Map::new(),
            }
        }
        let body = match self {
            Message::Init(m) => fields(m),
            Message::Update(m) => fields(m),
            Message::Reply(m) => fields(m),
            Message::Upstream(m) => fields(m),
            Message::Notification(m) => fields(m),
            Message::ClientUpdate(m) => fields(m),
            Message::Ping(m) => fields(m),
            Message::Close(m) => fields(m),
            Message::Other { header, .. } => header.clone(),
        };
        // The official client writes `id` first, then `method`, then the rest.
        let mut header = Map::with_capacity(body.len() + 2);
        let mut rest = body;
        if let Some(id) = rest.shift_remove("id") {
            header.insert("id".to_owned(), id);
        }
        rest.shift_remove("method");
        header.insert("method".to_owned(), Value::from(self.method()));
        header.extend(rest);
        header
    }
}

/// A typed twilsock packet: header plus raw payload.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    /// The header.
    pub message: Message,
    /// The payload bytes (meaning set by the header's `payload_type`).
    pub payload: Vec<u8>,
}

impl Frame {
    /// A frame with no payload.
    pub fn new(message: Message) -> Self {
        Frame { message, payload: Vec::new() }
    }

    /// A frame whose payload is `value` as JSON.
    pub fn with_json<T: Serialize>(message: Message, value: &T) -> Self {
        // Serializing our own payload types cannot fail (no non-string map keys).
        let payload = serde_json::to_vec(value).unwrap_or_default();
        Frame { message, payload }
    }

    /// Parses one packet off the wire.
    pub fn decode(bytes: &[u8]) -> Result<Self, Error> {
        let RawFrame { mut header, payload } = RawFrame::decode(bytes)?;
        let Some(Value::String(method)) = header.shift_remove("method") else {
            return Err(crate::FrameError::MissingMethod.into());
        };
        Ok(Frame { message: Message::from_header(&method, header)?, payload })
    }

    /// Writes the packet.
    pub fn encode(&self) -> Vec<u8> {
        RawFrame { header: self.message.to_header(), payload: self.payload.clone() }.encode()
    }

    /// The payload parsed as JSON into `T`.
    pub fn payload_json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_slice(&self.payload).map_err(|e| Error::InvalidPayload(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_ack_matches_the_official_client_shape() {
        let bytes = Frame::new(Message::Reply(Reply::ack("TMx"))).encode();
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.contains(r#"{"id":"TMx","method":"reply","payload_type":"application/json","status":{"code":200,"status":"OK"},"payload_size":0}"#), "{text}");
    }

    #[test]
    fn test_unknown_methods_and_fields_survive_a_round_trip() {
        let header = r#"{"id":"TM1","method":"telemetry.v1","events":[{"start":-25,"end":0,"title":"t","details":""}],"payload_size":0}"#;
        let bytes = format!("TWILSOCK V3.0 {}\r\n{header}\r\n", header.len()).into_bytes();
        let frame = Frame::decode(&bytes).unwrap();
        assert_eq!(frame.message.method(), "telemetry.v1");
        assert_eq!(frame.encode(), bytes);

        let header = r#"{"id":"TM2","method":"notification","message_type":"twilio.sync.event","payload_type":"application/json","future_field":[1],"payload_size":2}"#;
        let bytes = format!("TWILSOCK V3.0 {}\r\n{header}\r\n{{}}", header.len()).into_bytes();
        let frame = Frame::decode(&bytes).unwrap();
        assert!(
            matches!(&frame.message, Message::Notification(n) if n.message_type == "twilio.sync.event")
        );
        assert_eq!(frame.encode(), bytes);
    }

    #[test]
    fn test_a_known_method_with_a_wrong_header_is_an_error() {
        let header = r#"{"id":"TM1","method":"init","payload_size":0}"#;
        let bytes = format!("TWILSOCK V3.0 {}\r\n{header}\r\n", header.len()).into_bytes();
        assert!(
            matches!(Frame::decode(&bytes), Err(Error::InvalidHeader { method, .. }) if method == "init")
        );
    }
}
