//! The crate's one error type.

/// Everything that can go wrong in `convo-wire`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The bytes are not a well-formed twilsock packet.
    #[error("malformed twilsock frame: {0}")]
    Frame(#[from] FrameError),
    /// The packet is well formed but its header does not fit the message its `method` names.
    #[error("invalid `{method}` header: {reason}")]
    InvalidHeader {
        /// The `method` of the packet.
        method: String,
        /// What did not fit.
        reason: String,
    },
    /// The payload is not the JSON the caller expected.
    #[error("invalid payload: {0}")]
    InvalidPayload(String),
    /// The text is not JSON ([`crate::json::parse`]).
    #[error("invalid JSON at byte {at}: {what}")]
    InvalidJson {
        /// Where reading stopped.
        at: usize,
        /// What was expected there, or what was wrong.
        what: &'static str,
    },
    /// An access token was refused.
    #[error(transparent)]
    Token(#[from] TokenError),
}

/// Why a byte buffer is not a twilsock v3 packet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// The buffer does not start with `TWILSOCK `.
    #[error("missing TWILSOCK magic")]
    BadMagic,
    /// The protocol version is not `V3.0`.
    #[error("unsupported protocol version \"{0}\"")]
    BadVersion(String),
    /// The header-length field is missing, not a decimal number, or has no CR LF after it.
    #[error("bad header length field")]
    BadHeaderLength,
    /// The header length is larger than the codec accepts.
    #[error("header of {0} bytes exceeds the {max} byte limit", max = crate::frame::MAX_HEADER_BYTES)]
    HeaderTooLarge(usize),
    /// The buffer ends before the part the packet announces.
    #[error("truncated frame: {needed} bytes needed, {available} available")]
    Truncated {
        /// Bytes the packet announces up to the end of the part being read.
        needed: usize,
        /// Bytes actually present.
        available: usize,
    },
    /// The header bytes are not UTF-8 JSON.
    #[error("header is not JSON: {0}")]
    HeaderNotJson(String),
    /// The header is JSON but not an object.
    #[error("header is not a JSON object")]
    HeaderNotObject,
    /// The header has no string `method`.
    #[error("header has no method")]
    MissingMethod,
    /// `payload_size` is not a non-negative integer.
    #[error("payload_size is not a non-negative integer")]
    BadPayloadSize,
    /// The header is not followed by CR LF.
    #[error("missing CR LF after the header")]
    MissingSeparator,
    /// The payload is longer or shorter than `payload_size` says.
    #[error("payload_size says {declared} bytes, the frame carries {actual}")]
    PayloadSizeMismatch {
        /// `payload_size` from the header.
        declared: usize,
        /// Bytes after the header separator.
        actual: usize,
    },
}

/// Why an access token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not a three-part base64url JWT with JSON header and claims.
    #[error("access token is malformed: {0}")]
    Malformed(&'static str),
    /// The header names an algorithm other than HS256.
    #[error("access token algorithm is not HS256")]
    UnsupportedAlgorithm,
    /// The signature does not verify with the API key secret.
    #[error("access token signature is invalid")]
    BadSignature,
    /// `exp` is in the past.
    #[error("access token expired or expiration date invalid")]
    Expired,
    /// `nbf` is in the future.
    #[error("access token is not valid yet")]
    NotYetValid,
}

impl TokenError {
    /// The Twilio error code for this refusal: 20104 for an expired token (the only code the
    /// official SDK acts on), 20101 "invalid access token" otherwise.
    pub fn twilio_code(&self) -> u32 {
        match self {
            TokenError::Expired => 20104,
            _ => 20101,
        }
    }
}
