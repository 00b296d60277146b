//! Sans-I/O building blocks shared by every Convo part that speaks Twilio's protocols.
//!
//! * [`frame`] — the twilsock v3 packet codec (header line, JSON header, payload).
//! * [`message`] — typed twilsock messages (`init`, `reply`, `message`, `notification`, …).
//! * [`token`] — Twilio access tokens (HS256 JWT, `cty: twilio-fpa;v=1`): mint and verify.
//! * [`credentials`] — the account/API-key credentials and their development defaults.
//! * [`twilio_error`] — the `{status, code, message, more_info}` error body.
//! * [`time`] — RFC 3339 timestamps and ISO 8601 durations without a date-time dependency.
//! * [`webhook`] — the `X-Twilio-Signature` of a webhook request.
//! * [`prechat`] — custom pre-chat fields: the host's declaration and the checks of answers,
//!   shared by the widget and the backend so they judge a form alike.
//! * [`url`] — one URL path segment from any text.
//! * [`json`] — JSON text read (a small decoder of its own) and written (serde_json's), each
//!   one way.
//!
//! Nothing here does I/O, reads the clock or draws random numbers: callers pass `now` in,
//! so the client and the emulator cannot drift apart and every rule is unit-testable.
#![warn(missing_docs)]

pub mod credentials;
mod error;
pub mod frame;
pub mod json;
pub mod message;
pub mod prechat;
#[cfg(feature = "testing")]
pub mod testing;
pub mod time;
pub mod token;
pub mod twilio_error;
pub mod url;
pub mod webhook;

pub use credentials::Credentials;
pub use error::{Error, FrameError, TokenError};
pub use frame::RawFrame;
pub use message::{Frame, Message, Status};
pub use twilio_error::TwilioError;

/// A JSON object from `"key": value` pairs, in order: `object! { "sid": m.sid, "size": 3 }`.
/// Each value is borrowed, as `json!` borrows it, and becomes a `serde_json::Value` by
/// [`json::value`] (anything `Clone` and `Into<Value>`: strings, numbers, options, vectors,
/// values, nested `object!`s).
///
/// The client and the widget build their JSON with this, not serde_json's `json!`: that macro
/// turns every value into a `Value` through serde's serializer and unwraps the result, which put
/// the serializer into a `Value` and the debug formatting of its error into the widget's wasm
/// for nothing (issue 15).
#[macro_export]
macro_rules! object {
    ($($key:literal : $value:expr),* $(,)?) => {
        $crate::json::object(::std::vec![$(($key, $crate::json::value(&$value))),*])
    };
}
