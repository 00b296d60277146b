//! Typed twilsock messages.
//!
//! [`Frame`] pairs a [`Message`] (the header, typed by its `method`) with the raw payload bytes.
//! Each header struct lists its fields in the order the official client writes them and keeps
//! unknown fields in `extra`, so a frame decodes and re-encodes byte for byte.

use serde::{de::DeserializeOwned, Serialize};
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// HTTP-like code: 2xx success, 401/403 denied, 410 token expired, 308 offload, …
    pub code: u16,
    /// Reason phrase.
    pub status: String,
    /// Twilio error code (e.g. 20104 "token expired").
    pub error_code: Option<u32>,
    /// Human-readable detail.
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpStatus {
    /// The HTTP status code.
    pub code: u16,
    /// The reason phrase.
    pub status: String,
}

/// One entry of `init.registrations`: which notification types a product wants.
#[derive(Debug, Clone, PartialEq)]
pub struct Registration {
    /// Product id, `ip_messaging` for Conversations.
    pub product: String,
    /// Registration type (`ers`).
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
#[derive(Debug, Clone, PartialEq)]
pub struct Init {
    /// Request id; the reply carries the same.
    pub id: String,
    /// The access token.
    pub token: String,
    /// The previous init reply's continuation token, or null.
    pub continuation_token: Option<String>,
    /// Informational client metadata.
    pub metadata: Value,
    /// Notification types to deliver.
    pub registrations: Vec<Registration>,
    /// Passthrough of the client option `tweaks`.
    pub tweaks: Value,
    /// Client capabilities (`client_update`, `offline_storage`, `telemetry.v1`).
    pub capabilities: Vec<String>,
    /// Fields this crate does not model.
    pub extra: Map<String, Value>,
}

/// Client → server: replace the token of a live session.
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    /// Request id.
    pub id: String,
    /// The new access token.
    pub token: String,
    /// Fields this crate does not model.
    pub extra: Map<String, Value>,
}

/// Either direction: the answer to a request (server) or an acknowledgement (client).
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// The id of the request or server message being answered.
    pub id: String,
    /// Content type of the payload (before `status`, where the official client writes it).
    pub payload_type: Option<String>,
    /// Transport-level outcome.
    pub status: Status,
    /// Upstream HTTP outcome of a tunnelled request.
    pub http_status: Option<HttpStatus>,
    /// Upstream HTTP headers of a tunnelled request.
    pub http_headers: Option<Map<String, Value>>,
    /// Init reply: the token to send on the next init.
    pub continuation_token: Option<String>,
    /// Init reply: the confirmed capabilities.
    pub capabilities: Option<Vec<String>>,
    /// Fields this crate does not model.
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
#[derive(Debug, Clone, PartialEq)]
pub struct HttpRequest {
    /// Host label (`aim.us1.twilio.com`, `cds.us1.twilio.com`); only a label for routing.
    pub host: String,
    /// Percent-encoded path without the query.
    pub path: String,
    /// `GET`, `POST`, `PUT` or `DELETE`.
    pub method: String,
    /// Query parameters, not percent-decoded; a repeated key is an array.
    pub params: Map<String, Value>,
    /// Request headers.
    pub headers: Map<String, Value>,
}

/// Client → server: a tunnelled HTTP request (twilsock `method: "message"`).
#[derive(Debug, Clone, PartialEq)]
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
    pub extra: Map<String, Value>,
}

/// Server → client: a push addressed by `message_type`.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    /// Server message id; the client acks it.
    pub id: String,
    /// What the payload is (`twilio.sync.event`, `com.twilio.rtd.cds.list`, …).
    pub message_type: String,
    /// Content type of the payload.
    pub payload_type: Option<String>,
    /// Fields this crate does not model.
    pub extra: Map<String, Value>,
}

/// Server → client: session-level news, e.g. `token_about_to_expire`.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientUpdate {
    /// Server message id.
    pub id: String,
    /// The kind of update.
    pub client_update_type: String,
    /// Fields this crate does not model.
    pub extra: Map<String, Value>,
}

/// Server → client liveness probe, or any other message with only an id.
#[derive(Debug, Clone, PartialEq)]
pub struct Ping {
    /// Message id; the client acks it.
    pub id: String,
    /// Fields this crate does not model.
    pub extra: Map<String, Value>,
}

/// Either direction: end of the session. The server's carries a status that selects what the
/// client does next (308 reconnect elsewhere, 401 denied, 410 token expired, …).
#[derive(Debug, Clone, PartialEq)]
pub struct Close {
    /// Message id.
    pub id: String,
    /// Why (server → client only).
    pub status: Option<Status>,
    /// Fields this crate does not model.
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
        let mut h = header;
        let typed = match method {
            "init" => read_init(&mut h).map(Message::Init),
            "update" => read_update(&mut h).map(Message::Update),
            "reply" => read_reply(&mut h).map(Message::Reply),
            "message" => read_upstream(&mut h).map(Message::Upstream),
            "notification" => read_notification(&mut h).map(Message::Notification),
            "client_update" => read_client_update(&mut h).map(Message::ClientUpdate),
            "ping" => required_string(&mut h, "id").map(|id| Message::Ping(Ping { id, extra: h })),
            "close" => read_close(&mut h).map(Message::Close),
            other => return Ok(Message::Other { method: other.to_owned(), header: h }),
        };
        typed.map_err(|reason| Error::InvalidHeader { method: method.to_owned(), reason })
    }

    fn to_header(&self) -> Map<String, Value> {
        // The official client writes `id` first, then `method`, then the rest in the order of
        // the structs' fields (each header struct lists them so), unknown fields last.
        let mut h = Map::new();
        let id = match self {
            Message::Other { header, .. } => header.get("id").cloned(),
            _ => self.id().map(Value::from),
        };
        put_some(&mut h, "id", id);
        put(&mut h, "method", Value::from(self.method()));
        let extra = match self {
            Message::Init(m) => {
                put(&mut h, "token", Value::from(m.token.as_str()));
                put(&mut h, "continuation_token", Value::from(m.continuation_token.as_deref()));
                put(&mut h, "metadata", m.metadata.clone());
                let registrations = m.registrations.iter().map(registration_value).collect();
                put(&mut h, "registrations", Value::Array(registrations));
                put(&mut h, "tweaks", m.tweaks.clone());
                put(&mut h, "capabilities", strings_value(&m.capabilities));
                &m.extra
            }
            Message::Update(m) => {
                put(&mut h, "token", Value::from(m.token.as_str()));
                &m.extra
            }
            Message::Reply(m) => {
                put_some(&mut h, "payload_type", m.payload_type.as_deref().map(Value::from));
                put(&mut h, "status", status_value(&m.status));
                put_some(&mut h, "http_status", m.http_status.as_ref().map(http_status_value));
                put_some(&mut h, "http_headers", m.http_headers.clone().map(Value::Object));
                let token = m.continuation_token.as_deref().map(Value::from);
                put_some(&mut h, "continuation_token", token);
                put_some(&mut h, "capabilities", m.capabilities.as_deref().map(strings_value));
                &m.extra
            }
            Message::Upstream(m) => {
                put(&mut h, "active_grant", Value::from(m.active_grant.as_str()));
                put(&mut h, "payload_type", Value::from(m.payload_type.as_str()));
                put(&mut h, "http_request", http_request_value(&m.http_request));
                &m.extra
            }
            Message::Notification(m) => {
                put(&mut h, "message_type", Value::from(m.message_type.as_str()));
                put_some(&mut h, "payload_type", m.payload_type.as_deref().map(Value::from));
                &m.extra
            }
            Message::ClientUpdate(m) => {
                put(&mut h, "client_update_type", Value::from(m.client_update_type.as_str()));
                &m.extra
            }
            Message::Ping(m) => &m.extra,
            Message::Close(m) => {
                put_some(&mut h, "status", m.status.as_ref().map(status_value));
                &m.extra
            }
            Message::Other { header, .. } => header,
        };
        for (key, value) in extra {
            // `method` is the variant's; an `id` among the rest keeps its place at the front.
            if key != "method" {
                h.insert(key.clone(), value.clone());
            }
        }
        h
    }
}

// The header codec, by hand. It used to be serde-derived, but `#[serde(flatten)]` (which keeps
// unknown fields) buffers every header through serde's generic `Content` tree, and those
// deserializers were one of the larger parts of the shipped wasm (issue 15). Each reader takes
// its known fields out of the header map, so what is left, in its order, is `extra`. The rules
// are serde's: a missing or null `Option` is `None`, a missing defaulted field is its default,
// every other field is required and must have its JSON type; unknown fields of the nested
// objects (`status`, `http_status`, `http_request`, a registration) are dropped.

/// Why a header does not fit its method; the reason of [`Error::InvalidHeader`].
type Reason = String;

fn put(h: &mut Map<String, Value>, key: &str, value: Value) {
    h.insert(key.to_owned(), value);
}

fn put_some(h: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(value) = value {
        put(h, key, value);
    }
}

fn required(h: &mut Map<String, Value>, key: &str) -> Result<Value, Reason> {
    h.shift_remove(key).ok_or_else(|| format!("missing field `{key}`"))
}

fn wrong_type(key: &str, expected: &str) -> Reason {
    format!("`{key}` is not {expected}")
}

fn as_string(value: Value, key: &str) -> Result<String, Reason> {
    match value {
        Value::String(s) => Ok(s),
        _ => Err(wrong_type(key, "a string")),
    }
}

fn as_object(value: Value, key: &str) -> Result<Map<String, Value>, Reason> {
    match value {
        Value::Object(map) => Ok(map),
        _ => Err(wrong_type(key, "an object")),
    }
}

fn as_array(value: Value, key: &str) -> Result<Vec<Value>, Reason> {
    match value {
        Value::Array(items) => Ok(items),
        _ => Err(wrong_type(key, "an array")),
    }
}

/// A non-negative integer no larger than `max`.
fn as_uint(value: &Value, key: &str, max: u32) -> Result<u32, Reason> {
    value
        .as_u64()
        .filter(|n| *n <= u64::from(max))
        .map(|n| n as u32)
        .ok_or_else(|| wrong_type(key, "an unsigned integer in range"))
}

fn as_strings(value: Value, key: &str) -> Result<Vec<String>, Reason> {
    as_array(value, key)?.into_iter().map(|item| as_string(item, key)).collect()
}

fn required_string(h: &mut Map<String, Value>, key: &str) -> Result<String, Reason> {
    as_string(required(h, key)?, key)
}

/// A field that may be absent or null.
fn optional(h: &mut Map<String, Value>, key: &str) -> Option<Value> {
    h.shift_remove(key).filter(|value| !value.is_null())
}

fn optional_string(h: &mut Map<String, Value>, key: &str) -> Result<Option<String>, Reason> {
    optional(h, key).map(|value| as_string(value, key)).transpose()
}

fn read_status(value: Value, key: &str) -> Result<Status, Reason> {
    let mut h = as_object(value, key)?;
    let code = as_uint(&required(&mut h, "code")?, "code", u16::MAX.into())? as u16;
    let status = required_string(&mut h, "status")?;
    let error_code = match optional(&mut h, "errorCode") {
        Some(value) => Some(as_uint(&value, "errorCode", u32::MAX)?),
        None => None,
    };
    let description = optional_string(&mut h, "description")?;
    Ok(Status { code, status, error_code, description })
}

fn status_value(status: &Status) -> Value {
    let mut h = Map::new();
    put(&mut h, "code", Value::from(status.code));
    put(&mut h, "status", Value::from(status.status.as_str()));
    put_some(&mut h, "errorCode", status.error_code.map(Value::from));
    put_some(&mut h, "description", status.description.as_deref().map(Value::from));
    Value::Object(h)
}

fn http_status_value(status: &HttpStatus) -> Value {
    let mut h = Map::new();
    put(&mut h, "code", Value::from(status.code));
    put(&mut h, "status", Value::from(status.status.as_str()));
    Value::Object(h)
}

fn strings_value(strings: &[String]) -> Value {
    Value::Array(strings.iter().map(|s| Value::from(s.as_str())).collect())
}

fn read_registration(value: Value) -> Result<Registration, Reason> {
    let mut h = as_object(value, "registrations")?;
    Ok(Registration {
        product: required_string(&mut h, "product")?,
        kind: required_string(&mut h, "type")?,
        notification_protocol_version: as_uint(
            &required(&mut h, "notification_protocol_version")?,
            "notification_protocol_version",
            u32::MAX,
        )?,
        message_types: as_strings(required(&mut h, "message_types")?, "message_types")?,
    })
}

fn registration_value(registration: &Registration) -> Value {
    let mut h = Map::new();
    put(&mut h, "product", Value::from(registration.product.as_str()));
    put(&mut h, "type", Value::from(registration.kind.as_str()));
    put(&mut h, "notification_protocol_version", registration.notification_protocol_version.into());
    put(&mut h, "message_types", strings_value(&registration.message_types));
    Value::Object(h)
}

fn read_init(h: &mut Map<String, Value>) -> Result<Init, Reason> {
    let id = required_string(h, "id")?;
    let token = required_string(h, "token")?;
    let continuation_token = optional_string(h, "continuation_token")?;
    let metadata = h.shift_remove("metadata").unwrap_or_default();
    let registrations = match h.shift_remove("registrations") {
        Some(value) => {
            as_array(value, "registrations")?.into_iter().map(read_registration).collect()
        }
        None => Ok(Vec::new()),
    }?;
    let tweaks = h.shift_remove("tweaks").unwrap_or_default();
    let capabilities = match h.shift_remove("capabilities") {
        Some(value) => as_strings(value, "capabilities")?,
        None => Vec::new(),
    };
    let extra = std::mem::take(h);
    Ok(Init { id, token, continuation_token, metadata, registrations, tweaks, capabilities, extra })
}

fn read_update(h: &mut Map<String, Value>) -> Result<Update, Reason> {
    let id = required_string(h, "id")?;
    let token = required_string(h, "token")?;
    Ok(Update { id, token, extra: std::mem::take(h) })
}

fn read_reply(h: &mut Map<String, Value>) -> Result<Reply, Reason> {
    let id = required_string(h, "id")?;
    let payload_type = optional_string(h, "payload_type")?;
    let status = read_status(required(h, "status")?, "status")?;
    let http_status = match optional(h, "http_status") {
        Some(value) => {
            let mut s = as_object(value, "http_status")?;
            let code = as_uint(&required(&mut s, "code")?, "code", u16::MAX.into())? as u16;
            Some(HttpStatus { code, status: required_string(&mut s, "status")? })
        }
        None => None,
    };
    let http_headers =
        optional(h, "http_headers").map(|value| as_object(value, "http_headers")).transpose()?;
    let continuation_token = optional_string(h, "continuation_token")?;
    let capabilities =
        optional(h, "capabilities").map(|value| as_strings(value, "capabilities")).transpose()?;
    Ok(Reply {
        id,
        payload_type,
        status,
        http_status,
        http_headers,
        continuation_token,
        capabilities,
        extra: std::mem::take(h),
    })
}

fn read_upstream(h: &mut Map<String, Value>) -> Result<Upstream, Reason> {
    let id = required_string(h, "id")?;
    let active_grant = required_string(h, "active_grant")?;
    let payload_type = required_string(h, "payload_type")?;
    let mut r = as_object(required(h, "http_request")?, "http_request")?;
    let host = required_string(&mut r, "host")?;
    let path = required_string(&mut r, "path")?;
    let method = required_string(&mut r, "method")?;
    let params = match r.shift_remove("params") {
        Some(value) => as_object(value, "params")?,
        None => Map::new(),
    };
    let headers = match r.shift_remove("headers") {
        Some(value) => as_object(value, "headers")?,
        None => Map::new(),
    };
    let http_request = HttpRequest { host, path, method, params, headers };
    Ok(Upstream { id, active_grant, payload_type, http_request, extra: std::mem::take(h) })
}

fn http_request_value(request: &HttpRequest) -> Value {
    let mut h = Map::new();
    put(&mut h, "host", Value::from(request.host.as_str()));
    put(&mut h, "path", Value::from(request.path.as_str()));
    put(&mut h, "method", Value::from(request.method.as_str()));
    put(&mut h, "params", Value::Object(request.params.clone()));
    put(&mut h, "headers", Value::Object(request.headers.clone()));
    Value::Object(h)
}

fn read_notification(h: &mut Map<String, Value>) -> Result<Notification, Reason> {
    let id = required_string(h, "id")?;
    let message_type = required_string(h, "message_type")?;
    let payload_type = optional_string(h, "payload_type")?;
    Ok(Notification { id, message_type, payload_type, extra: std::mem::take(h) })
}

fn read_client_update(h: &mut Map<String, Value>) -> Result<ClientUpdate, Reason> {
    let id = required_string(h, "id")?;
    let client_update_type = required_string(h, "client_update_type")?;
    Ok(ClientUpdate { id, client_update_type, extra: std::mem::take(h) })
}

fn read_close(h: &mut Map<String, Value>) -> Result<Close, Reason> {
    let id = required_string(h, "id")?;
    let status = optional(h, "status").map(|value| read_status(value, "status")).transpose()?;
    Ok(Close { id, status, extra: std::mem::take(h) })
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

    fn header_error(header: &str) -> String {
        let bytes = format!("TWILSOCK V3.0 {}\r\n{header}\r\n", header.len()).into_bytes();
        match Frame::decode(&bytes) {
            Err(error @ Error::InvalidHeader { .. }) => error.to_string(),
            other => panic!("{header}: expected an invalid header, got {other:?}"),
        }
    }

    #[test]
    fn test_a_wrong_header_names_the_method_and_the_field() {
        assert_eq!(
            header_error(r#"{"id":"TM1","method":"init","payload_size":0}"#),
            "invalid `init` header: missing field `token`"
        );
        assert_eq!(
            header_error(r#"{"id":7,"method":"ping","payload_size":0}"#),
            "invalid `ping` header: `id` is not a string"
        );
        assert_eq!(
            header_error(r#"{"id":"TM1","method":"reply","status":{"code":"200","status":"OK"}}"#),
            "invalid `reply` header: `code` is not an unsigned integer in range"
        );
        assert_eq!(
            header_error(r#"{"id":"TM1","method":"close","status":{"code":70000,"status":"x"}}"#),
            "invalid `close` header: `code` is not an unsigned integer in range"
        );
        assert_eq!(
            header_error(r#"{"id":"TM1","method":"init","token":"t","registrations":null}"#),
            "invalid `init` header: `registrations` is not an array"
        );
        assert_eq!(
            header_error(
                r#"{"id":"TM1","method":"message","active_grant":"g","payload_type":"p","http_request":{"host":"h","path":"/","method":"GET","params":[]}}"#
            ),
            "invalid `message` header: `params` is not an object"
        );
    }

    #[test]
    fn test_a_full_reply_decodes_and_encodes_in_the_official_order() {
        // Optional fields present, null (= absent) or missing, nested unknown fields (dropped)
        // and top-level unknown fields (kept, last).
        let header = r#"{"id":"TM1","method":"reply","payload_type":"application/json","status":{"code":410,"status":"Gone","errorCode":20104,"description":"expired","future":1},"http_status":{"code":201,"status":"Created"},"http_headers":{"ETag":"1"},"continuation_token":null,"capabilities":["a"],"zzz":true,"payload_size":0}"#;
        let bytes = format!("TWILSOCK V3.0 {}\r\n{header}\r\n", header.len()).into_bytes();
        let frame = Frame::decode(&bytes).unwrap();
        let Message::Reply(reply) = &frame.message else { panic!("{frame:?}") };
        assert_eq!(reply.status, Status::new(410, "Gone").with_error(20104, "expired"));
        assert_eq!(reply.http_status, Some(HttpStatus { code: 201, status: "Created".into() }));
        assert_eq!(reply.http_headers.as_ref().map(|h| h["ETag"].clone()), Some("1".into()));
        assert_eq!(reply.continuation_token, None);
        assert_eq!(reply.capabilities.as_deref(), Some(&["a".to_owned()][..]));
        assert_eq!(reply.extra.keys().collect::<Vec<_>>(), ["zzz"]);
        let text = String::from_utf8(frame.encode()).unwrap();
        assert!(text.contains(r#"{"id":"TM1","method":"reply","payload_type":"application/json","status":{"code":410,"status":"Gone","errorCode":20104,"description":"expired"},"http_status":{"code":201,"status":"Created"},"http_headers":{"ETag":"1"},"capabilities":["a"],"zzz":true,"payload_size":0}"#), "{text}");
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
