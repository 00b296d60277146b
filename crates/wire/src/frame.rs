//! The twilsock v3 packet codec.
//!
//! One packet is one binary websocket message:
//!
//! ```text
//! "TWILSOCK V3.0 " <H> CR LF <H bytes of UTF-8 JSON header> CR LF <payload_size bytes of payload>
//! ```
//!
//! `H` and `payload_size` count UTF-8 bytes, not characters. The official client always writes
//! the second CR LF, even with an empty payload; on decode we also accept its absence when the
//! payload is empty. Every malformed input is an error, never a panic: the emulator decodes
//! bytes straight off the network.

use serde_json::{Map, Value};

use crate::error::FrameError;

const MAGIC: &[u8] = b"TWILSOCK ";
const VERSION: &str = "V3.0";
const CRLF: &[u8] = b"\r\n";

/// The largest header the codec accepts. The SDK's largest header (an `init` with its token)
/// is about 1 KB; 64 KB leaves room for long tokens while bounding what a peer can make us parse.
pub const MAX_HEADER_BYTES: usize = 64 * 1024;

/// A packet with its header as a JSON object (key order kept) and its payload as raw bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct RawFrame {
    /// The header object, without `payload_size` (the codec derives it from the payload).
    pub header: Map<String, Value>,
    /// The payload bytes; their meaning depends on the header's `payload_type`.
    pub payload: Vec<u8>,
}

impl RawFrame {
    /// The header's `method`, if it is a string.
    pub fn method(&self) -> Option<&str> {
        self.header.get("method").and_then(Value::as_str)
    }

    /// Parses one packet.
    pub fn decode(bytes: &[u8]) -> Result<Self, FrameError> {
        let rest = bytes.strip_prefix(MAGIC).ok_or(FrameError::BadMagic)?;
        let line_end = rest.windows(2).position(|w| w == CRLF).ok_or_else(|| {
            // Without a CR LF we cannot tell a bad version from a short buffer; name the
            // version problem when the bytes we have already show it.
            match rest.iter().position(|b| *b == b' ') {
                Some(sp) if &rest[..sp] != VERSION.as_bytes() => {
                    FrameError::BadVersion(String::from_utf8_lossy(&rest[..sp]).into_owned())
                }
                _ => FrameError::BadHeaderLength,
            }
        })?;
        let line =
            std::str::from_utf8(&rest[..line_end]).map_err(|_| FrameError::BadHeaderLength)?;
        let mut parts = line.split(' ');
        let version = parts.next().unwrap_or_default();
        if version != VERSION {
            return Err(FrameError::BadVersion(version.to_owned()));
        }
        let header_len = match (parts.next(), parts.next()) {
            (Some(n), None) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
                n.parse::<usize>().map_err(|_| FrameError::BadHeaderLength)?
            }
            _ => return Err(FrameError::BadHeaderLength),
        };
        if header_len > MAX_HEADER_BYTES {
            return Err(FrameError::HeaderTooLarge(header_len));
        }

        let header_start = MAGIC.len() + line_end + CRLF.len();
        let header_end = header_start + header_len;
        if header_end > bytes.len() {
            return Err(FrameError::Truncated { needed: header_end, available: bytes.len() });
        }
        let header_json: Value = crate::json::parse(&bytes[header_start..header_end])
            .map_err(|e| FrameError::HeaderNotJson(e.to_string()))?;
        let Value::Object(mut header) = header_json else {
            return Err(FrameError::HeaderNotObject);
        };
        if !header.get("method").is_some_and(Value::is_string) {
            return Err(FrameError::MissingMethod);
        }
        let payload_size = match header.shift_remove("payload_size") {
            None | Some(Value::Null) => 0,
            Some(v) => v
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .ok_or(FrameError::BadPayloadSize)?,
        };

        let after_header = &bytes[header_end..];
        let body = if after_header.is_empty() && payload_size == 0 {
            after_header
        } else {
            after_header.strip_prefix(CRLF).ok_or(FrameError::MissingSeparator)?
        };
        if body.len() < payload_size {
            return Err(FrameError::Truncated {
                needed: header_end + CRLF.len() + payload_size,
                available: bytes.len(),
            });
        }
        if body.len() > payload_size {
            return Err(FrameError::PayloadSizeMismatch {
                declared: payload_size,
                actual: body.len(),
            });
        }
        Ok(RawFrame { header, payload: body.to_vec() })
    }

    /// Writes the packet, with `payload_size` appended as the header's last key (where the
    /// official client puts it).
    pub fn encode(&self) -> Vec<u8> {
        let mut header = self.header.clone();
        header.shift_remove("payload_size");
        header.insert("payload_size".to_owned(), Value::from(self.payload.len()));
        let header_json = crate::json::text(&Value::Object(header));
        let mut out = Vec::with_capacity(32 + header_json.len() + self.payload.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(VERSION.as_bytes());
        out.push(b' ');
        out.extend_from_slice(header_json.len().to_string().as_bytes());
        out.extend_from_slice(CRLF);
        out.extend_from_slice(header_json.as_bytes());
        out.extend_from_slice(CRLF);
        out.extend_from_slice(&self.payload);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(header: &str, payload: &str) -> Vec<u8> {
        format!("TWILSOCK V3.0 {}\r\n{header}\r\n{payload}", header.len()).into_bytes()
    }

    #[test]
    fn test_documented_ping_example_round_trips() {
        let bytes = b"TWILSOCK V3.0 76\r\n{\"method\":\"ping\",\"id\":\"TM00000000000000000000000000000001\",\"payload_size\":0}\r\n";
        let raw = RawFrame::decode(bytes).unwrap();
        assert_eq!(raw.method(), Some("ping"));
        assert!(raw.payload.is_empty());
        assert_eq!(raw.encode(), bytes.to_vec());
    }

    #[test]
    fn test_payload_size_counts_utf8_bytes() {
        let header = r#"{"method":"reply","id":"TMabc","status":{"code":200,"status":"OK"},"http_status":{"code":200,"status":"OK"},"http_headers":{"Content-Type":"application/json"},"payload_type":"application/json","payload_size":21}"#;
        let bytes = frame(header, r#"{"greeting":"héllo"}"#);
        assert!(bytes.starts_with(b"TWILSOCK V3.0 211\r\n"), "documented example length");
        let raw = RawFrame::decode(&bytes).unwrap();
        assert_eq!(raw.payload.len(), 21);
        assert_eq!(raw.encode(), bytes);
    }

    #[test]
    fn test_empty_payload_without_trailing_crlf_is_accepted() {
        let header = r#"{"method":"ping","id":"x","payload_size":0}"#;
        let bytes = format!("TWILSOCK V3.0 {}\r\n{header}", header.len());
        assert!(RawFrame::decode(bytes.as_bytes()).is_ok());
    }

    #[test]
    fn test_malformed_inputs_are_errors() {
        let ok_header = r#"{"method":"ping","id":"x","payload_size":0}"#;
        let cases: Vec<(Vec<u8>, FrameError)> = vec![
            (b"".to_vec(), FrameError::BadMagic),
            (b"HELLO".to_vec(), FrameError::BadMagic),
            (b"twilsock V3.0 2\r\n{}\r\n".to_vec(), FrameError::BadMagic),
            (b"TWILSOCK V2.0 2\r\n{}\r\n".to_vec(), FrameError::BadVersion("V2.0".into())),
            (b"TWILSOCK V3.1 2".to_vec(), FrameError::BadVersion("V3.1".into())),
            (b"TWILSOCK V3.0 abc\r\n".to_vec(), FrameError::BadHeaderLength),
            (b"TWILSOCK V3.0 -1\r\n".to_vec(), FrameError::BadHeaderLength),
            (b"TWILSOCK V3.0 \r\n".to_vec(), FrameError::BadHeaderLength),
            (b"TWILSOCK V3.0 2 3\r\n{}".to_vec(), FrameError::BadHeaderLength),
            (b"TWILSOCK V3.0 99999999999999999999999\r\n".to_vec(), FrameError::BadHeaderLength),
            (b"TWILSOCK V3.0 10".to_vec(), FrameError::BadHeaderLength),
            (b"TWILSOCK V3.0 9999999\r\n{}".to_vec(), FrameError::HeaderTooLarge(9_999_999)),
            (
                b"TWILSOCK V3.0 500\r\n{\"method\":\"ping\"}".to_vec(),
                FrameError::Truncated { needed: 519, available: 35 },
            ),
            (frame("{not json}", ""), FrameError::HeaderNotJson(String::new())),
            (frame("[1,2]", ""), FrameError::HeaderNotObject),
            (frame(r#"{"id":"x"}"#, ""), FrameError::MissingMethod),
            (frame(r#"{"method":7}"#, ""), FrameError::MissingMethod),
            (frame(r#"{"method":"ping","payload_size":-1}"#, ""), FrameError::BadPayloadSize),
            (frame(r#"{"method":"ping","payload_size":"3"}"#, "abc"), FrameError::BadPayloadSize),
            (
                frame(r#"{"method":"ping","payload_size":5}"#, "abc"),
                FrameError::Truncated { needed: 0, available: 0 },
            ),
            (
                frame(r#"{"method":"ping","payload_size":1}"#, "abc"),
                FrameError::PayloadSizeMismatch { declared: 1, actual: 3 },
            ),
            (frame(ok_header, "junk"), FrameError::PayloadSizeMismatch { declared: 0, actual: 4 }),
            (
                format!("TWILSOCK V3.0 {}\r\n{ok_header}XX", ok_header.len()).into_bytes(),
                FrameError::MissingSeparator,
            ),
        ];
        for (bytes, expected) in cases {
            let got = RawFrame::decode(&bytes).expect_err(&String::from_utf8_lossy(&bytes));
            // Detail strings (serde messages, byte counts of constructed frames) vary; the
            // kind of error is what callers branch on.
            assert_eq!(
                std::mem::discriminant(&got),
                std::mem::discriminant(&expected),
                "{:?}: got {got:?}, expected {expected:?}",
                String::from_utf8_lossy(&bytes)
            );
        }
    }

    #[test]
    fn test_every_prefix_of_a_valid_frame_is_an_error_not_a_panic() {
        let bytes =
            frame(r#"{"method":"notification","id":"x","payload_size":11}"#, "{\"a\":\"bé\"}");
        assert!(RawFrame::decode(&bytes).is_ok());
        for cut in 0..bytes.len() {
            assert!(RawFrame::decode(&bytes[..cut]).is_err(), "prefix of {cut} bytes decoded");
        }
    }

    #[test]
    fn test_arbitrary_bytes_never_panic() {
        // A small deterministic xorshift sweep over mutated valid frames and random buffers.
        let valid = frame(
            r#"{"method":"reply","id":"TMx","status":{"code":200},"payload_size":4}"#,
            "true",
        );
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let mut bytes = valid.clone();
            for _ in 0..(next() % 4 + 1) {
                let i = (next() as usize) % bytes.len();
                bytes[i] = next() as u8;
            }
            let _ = RawFrame::decode(&bytes);
            let len = (next() % 64) as usize;
            let noise: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            let _ = RawFrame::decode(&noise);
        }
    }
}
