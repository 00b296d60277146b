//! JSON text to and from `serde_json::Value`, one way each.
//!
//! Reading is a small decoder of its own rather than serde_json's deserializer: the widget's
//! wasm parses every frame, session and REST body into a `Value` and nothing else, so serde's
//! generic machinery, its error codes and its table of powers of ten were code it shipped for
//! that one use (issue 15: 2.8 KB brotli). The property tests below and the `json` fuzz target
//! (`scripts/fuzz`) hold it to serde_json.

use serde_json::{Map, Number, Value};

use crate::Error;

/// How deep arrays and objects may nest, as in serde_json: deeper input is refused rather than
/// read by a recursion that could exhaust the stack.
const MAX_DEPTH: u32 = 128;

/// `value` as compact JSON text, byte for byte what `serde_json::to_string` writes (the tests
/// below and the `json` fuzz target hold it to that). A writer of its own, as [`parse`] is a
/// reader of its own: serde_json's goes through serde's `Serializer`, its `Formatter` and an
/// `io::Write` adapter, generic code the widget's wasm carried for this one use (issue 15: 0.6 KB
/// brotli). Floats are written as serde_json writes them, but in the browser ([`write_float`]).
pub fn text(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value);
    out
}

fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(number) => write_number(out, number),
        Value::String(text) => write_string(out, text),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(entries) => {
            out.push('{');
            for (i, (key, item)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, key);
                out.push(':');
                write_value(out, item);
            }
            out.push('}');
        }
    }
}

fn write_number(out: &mut String, number: &Number) {
    use std::fmt::Write as _;
    // A `Number` is a `u64`, an `i64` or a finite `f64` (serde_json would write `null` for a
    // float that is not finite, which a `Number` never holds).
    if let Some(n) = number.as_u64() {
        let _ = write!(out, "{n}");
    } else if let Some(n) = number.as_i64() {
        let _ = write!(out, "{n}");
    } else {
        match number.as_f64().filter(|x| x.is_finite()) {
            Some(x) => write_float(out, x),
            None => out.push_str("null"),
        }
    }
}

/// A finite float as serde_json writes it: the shortest text that reads back to it, by `zmij`.
#[cfg(not(target_arch = "wasm32"))]
fn write_float(out: &mut String, x: f64) {
    out.push_str(zmij::Buffer::new().format_finite(x));
}

/// A finite float in the browser: the shortest text that reads back to it, as JavaScript writes
/// numbers (ECMAScript's `Number::toString`), not by zmij, whose tables cost the widget 1.6 KB
/// brotli (issue 15). It reads back to the same `Value` as serde_json's text would: a float
/// with nothing after its digits gets the `.0` serde_json gives it (`1.0`, not `1`, which would
/// read back as an integer), and `-0.0` keeps its sign. Only the exponent can be spelt
/// differently (`1e+21`, where serde_json writes `1e21`). A browser test holds it to that
/// (`src/browser_tests.rs`).
#[cfg(target_arch = "wasm32")]
fn write_float(out: &mut String, x: f64) {
    if x == 0.0 {
        out.push_str(if x.is_sign_negative() { "-0.0" } else { "0.0" });
        return;
    }
    let text = String::from(js_sys::Number::from(x).to_string_with_radix(10).unwrap_or_default());
    out.push_str(&text);
    if !text.contains(['.', 'e']) {
        out.push_str(".0");
    }
}

/// `text` as a JSON string, escaped as serde_json escapes: the two-character escapes where JSON
/// has them, `\u00xx` for the other control characters, everything else as it is.
fn write_string(out: &mut String, text: &str) {
    out.push('"');
    let mut plain = 0;
    for (at, byte) in text.bytes().enumerate() {
        let short = match byte {
            b'"' => Some("\\\""),
            b'\\' => Some("\\\\"),
            b'\n' => Some("\\n"),
            b'\r' => Some("\\r"),
            b'\t' => Some("\\t"),
            0x08 => Some("\\b"),
            0x0c => Some("\\f"),
            0x00..=0x1f => None,
            _ => continue,
        };
        // Every byte escaped is ASCII, so `at` and `at + 1` are character boundaries.
        out.push_str(&text[plain..at]);
        plain = at + 1;
        match short {
            Some(escape) => out.push_str(escape),
            None => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(char::from(HEX[usize::from(byte >> 4)]));
                out.push(char::from(HEX[usize::from(byte & 0xf)]));
            }
        }
    }
    out.push_str(&text[plain..]);
    out.push('"');
}

/// A JSON object of `entries`, in their order: what [`object!`](crate::object) makes.
pub fn object(entries: Vec<(&str, Value)>) -> Value {
    Value::Object(entries.into_iter().map(|(key, value)| (key.to_owned(), value)).collect())
}

/// A copy of `value` as a `Value`: how [`object!`](crate::object) takes each of its values.
pub fn value<T: Clone + Into<Value>>(value: &T) -> Value {
    value.clone().into()
}

/// Reads one JSON value (RFC 8259), with nothing but whitespace after it.
///
/// What serde_json reads, this reads to the same `Value`: integers that fit become `u64` or
/// `i64`, other numbers `f64` (refused if infinite); a repeated key keeps its last value; strings
/// are UTF-8 with no control characters and no lone surrogate escapes. One difference, in the
/// wasm only: a float may be one unit in the last place off the nearest (3 in 10,000 random
/// doubles are), as serde_json's own reading there was (it has no `float_roundtrip` on wasm).
pub fn parse(text: &[u8]) -> Result<Value, Error> {
    let mut reader = Reader { text, at: 0, depth: 0 };
    let value = reader.value()?;
    reader.skip_whitespace();
    if reader.at < text.len() {
        return Err(reader.error("trailing characters"));
    }
    Ok(value)
}

struct Reader<'a> {
    text: &'a [u8],
    at: usize,
    depth: u32,
}

impl Reader<'_> {
    fn error(&self, what: &'static str) -> Error {
        Error::InvalidJson { at: self.at, what }
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.at += 1;
        Some(byte)
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    fn value(&mut self) -> Result<Value, Error> {
        self.skip_whitespace();
        match self.peek() {
            Some(b'{') => self.nested(Self::object),
            Some(b'[') => self.nested(Self::array),
            Some(b'"') => self.string().map(Value::String),
            Some(b't') => self.word(b"true", Value::Bool(true)),
            Some(b'f') => self.word(b"false", Value::Bool(false)),
            Some(b'n') => self.word(b"null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("expected a value")),
            None => Err(self.error("unexpected end")),
        }
    }

    fn word(&mut self, word: &[u8], value: Value) -> Result<Value, Error> {
        if !self.text[self.at..].starts_with(word) {
            return Err(self.error("expected a value"));
        }
        self.at += word.len();
        Ok(value)
    }

    /// Reads an array or object (`read`, past its opening bracket) one level deeper.
    fn nested(&mut self, read: fn(&mut Self) -> Result<Value, Error>) -> Result<Value, Error> {
        if self.depth == MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        self.depth += 1;
        self.at += 1;
        let value = read(self);
        self.depth -= 1;
        value
    }

    fn array(&mut self) -> Result<Value, Error> {
        let mut items = Vec::new();
        self.items(b']', |reader| {
            items.push(reader.value()?);
            Ok(())
        })?;
        Ok(Value::Array(items))
    }

    fn object(&mut self) -> Result<Value, Error> {
        let mut map = Map::new();
        self.items(b'}', |reader| {
            reader.skip_whitespace();
            if reader.peek() != Some(b'"') {
                return Err(reader.error("expected a key"));
            }
            let key = reader.string()?;
            reader.skip_whitespace();
            if reader.next() != Some(b':') {
                return Err(reader.error("expected ':'"));
            }
            map.insert(key, reader.value()?);
            Ok(())
        })?;
        Ok(Value::Object(map))
    }

    /// The items of an array or object, each read by `item`, with commas between them, up to
    /// and past its closing bracket `close`.
    fn items(
        &mut self,
        close: u8,
        mut item: impl FnMut(&mut Self) -> Result<(), Error>,
    ) -> Result<(), Error> {
        self.skip_whitespace();
        if self.peek() == Some(close) {
            self.at += 1;
            return Ok(());
        }
        loop {
            item(self)?;
            self.skip_whitespace();
            match self.next() {
                Some(b',') => {}
                Some(byte) if byte == close => return Ok(()),
                _ => return Err(self.error("expected ',' or a closing bracket")),
            }
        }
    }

    /// A string, from its opening quote.
    fn string(&mut self) -> Result<String, Error> {
        self.at += 1;
        let mut bytes = Vec::new();
        loop {
            let start = self.at;
            while let Some(byte) = self.peek() {
                if byte == b'"' || byte == b'\\' || byte < 0x20 {
                    break;
                }
                self.at += 1;
            }
            bytes.extend_from_slice(&self.text[start..self.at]);
            match self.next() {
                Some(b'"') => {
                    return String::from_utf8(bytes).map_err(|_| self.error("invalid UTF-8"));
                }
                Some(b'\\') => {
                    let c = self.escape()?;
                    bytes.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                }
                Some(_) => return Err(self.error("control character in a string")),
                None => return Err(self.error("unexpected end")),
            }
        }
    }

    /// The character an escape stands for, from past its backslash.
    fn escape(&mut self) -> Result<char, Error> {
        Ok(match self.next() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                let first = self.hex4()?;
                let code = match first {
                    0xD800..=0xDBFF => {
                        // A leading surrogate: the trailing one must follow, as `\uDC00`–`\uDFFF`.
                        if !self.text[self.at..].starts_with(b"\\u") {
                            return Err(self.error("lone surrogate"));
                        }
                        self.at += 2;
                        let second = self.hex4()?;
                        if !(0xDC00..=0xDFFF).contains(&second) {
                            return Err(self.error("lone surrogate"));
                        }
                        0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                    }
                    _ => first,
                };
                // Anything left that is not a scalar value is a trailing surrogate on its own.
                char::from_u32(code).ok_or_else(|| self.error("lone surrogate"))?
            }
            _ => return Err(self.error("invalid escape")),
        })
    }

    fn hex4(&mut self) -> Result<u32, Error> {
        let mut code = 0;
        for _ in 0..4 {
            let digit = self.next().and_then(|b| char::from(b).to_digit(16));
            code = code * 16 + digit.ok_or_else(|| self.error("invalid \\u escape"))?;
        }
        Ok(code)
    }

    /// Skips ASCII digits; whether there was at least one.
    fn digits(&mut self) -> bool {
        let start = self.at;
        while let Some(b'0'..=b'9') = self.peek() {
            self.at += 1;
        }
        self.at > start
    }

    fn number(&mut self) -> Result<Value, Error> {
        let start = self.at;
        let negative = self.peek() == Some(b'-');
        self.at += usize::from(negative);
        // No leading zeros: "0" alone, or a digit from 1 to 9 first.
        match self.peek() {
            Some(b'0') => self.at += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.error("invalid number")),
        }
        let int_end = self.at;
        let mut fraction = &[][..];
        if self.peek() == Some(b'.') {
            self.at += 1;
            let from = self.at;
            if !self.digits() {
                return Err(self.error("invalid number"));
            }
            fraction = &self.text[from..self.at];
        }
        let mut exponent = 0i32;
        if let Some(b'e' | b'E') = self.peek() {
            self.at += 1;
            let sign = match self.peek() {
                Some(b'-') => -1,
                Some(b'+') => 1,
                _ => 0,
            };
            self.at += usize::from(sign != 0);
            let from = self.at;
            if !self.digits() {
                return Err(self.error("invalid number"));
            }
            // Saturates: an exponent this large is infinity or zero either way.
            let magnitude = self.text[from..self.at]
                .iter()
                .fold(0i32, |e, d| e.saturating_mul(10).saturating_add(i32::from(d - b'0')));
            exponent = if sign < 0 { -magnitude } else { magnitude };
        }
        let int_start = start + usize::from(negative);
        let integer = &self.text[int_start..int_end];
        if fraction.is_empty() && self.at == int_end {
            match (whole(integer), negative) {
                (Some(n), false) => return Ok(Value::Number(n.into())),
                // "-0" is the float -0.0, as serde_json reads it.
                (Some(n @ 1..), true) => {
                    if let Some(n) = 0i64.checked_sub_unsigned(n) {
                        return Ok(Value::Number(n.into()));
                    }
                }
                _ => {}
            }
        }
        let magnitude = float(&self.text[int_start..self.at], integer, fraction, exponent);
        let value = if negative { -magnitude } else { magnitude };
        Number::from_f64(value).map(Value::Number).ok_or_else(|| self.error("number out of range"))
    }
}

/// ASCII digits as a `u64`, if they fit.
fn whole(digits: &[u8]) -> Option<u64> {
    digits.iter().try_fold(0u64, |n, d| n.checked_mul(10)?.checked_add(u64::from(d - b'0')))
}

/// A float's value from its `text` (no sign). Natively (the emulator, the tests, the fuzz
/// targets): the standard library's exact reading, so that a frame survives decode → encode →
/// decode. In the widget's wasm: [`scaled`], a few lines instead of the standard library's
/// tables.
#[cfg(not(target_arch = "wasm32"))]
fn float(text: &[u8], _: &[u8], _: &[u8], _: i32) -> f64 {
    std::str::from_utf8(text).ok().and_then(|t| t.parse().ok()).unwrap_or(f64::NAN)
}

#[cfg(target_arch = "wasm32")]
fn float(_: &[u8], integer: &[u8], fraction: &[u8], exponent: i32) -> f64 {
    scaled(integer, fraction, exponent)
}

/// The wasm's reading of a float: `integer.fraction × 10^exponent` as an `f64`: the nearest one when the power of ten is at most
/// 10^19 and the digits fit a `u64`, otherwise at most one unit in the last place off; infinite
/// when too large.
#[cfg(any(target_arch = "wasm32", test))]
fn scaled(integer: &[u8], fraction: &[u8], exponent: i32) -> f64 {
    // The first 19 significant digits (they fit a u64); the rest only move the exponent.
    let mut mantissa = 0u64;
    let mut scale = exponent;
    let mut kept = 0;
    for (i, &d) in integer.iter().chain(fraction).enumerate() {
        let in_fraction = i >= integer.len();
        if kept < 19 {
            kept += u32::from(mantissa > 0 || d != b'0');
            mantissa = mantissa * 10 + u64::from(d - b'0');
            scale = scale.saturating_sub(i32::from(in_fraction));
        } else {
            scale = scale.saturating_add(i32::from(!in_fraction));
        }
    }
    if mantissa == 0 {
        return 0.0;
    }
    // mantissa × 10^scale as f × 2^e, scaled by at most 10^19 at a time in 128 bits, of which f
    // keeps the top 64 and a sticky low bit for anything cut off below them: one step rounds
    // once, and 21 steps (10^±400, past any f64) stay within one unit in the last place.
    let (mut f, mut e) = (mantissa, 0i32);
    let keep = |wide: u128, e: &mut i32| {
        let zeros = wide.leading_zeros();
        let wide = wide << zeros;
        *e += 64 - zeros as i32;
        (wide >> 64) as u64 | u64::from(wide as u64 != 0)
    };
    f = keep(u128::from(f), &mut e);
    let mut scale = scale.clamp(-400, 400);
    while scale != 0 {
        let step = scale.unsigned_abs().min(19);
        let power = 10u128.pow(step);
        f = if scale > 0 {
            keep(u128::from(f) * power, &mut e)
        } else {
            e -= 64;
            let wide = u128::from(f) << 64;
            keep(wide / power, &mut e) | u64::from(wide % power != 0)
        };
        scale -= scale.signum() * step as i32;
    }
    // Scaled by 2^e in two exact halves (each within the normal range), so that only the last
    // multiplication can overflow to infinity or round into the subnormals.
    let two_to = |n: i32| f64::from_bits(((n + 1023) as u64) << 52);
    f as f64 * two_to(e / 2) * two_to(e - e / 2)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::testing::{mutate, Rng};

    #[test]
    fn test_text_is_what_display_writes() {
        let value = json!({ "b": [1, -2.5, null, true], "a": "\"é\"\n", "c": {} });
        assert_eq!(text(&value), value.to_string());
        assert_eq!(text(&value), r#"{"b":[1,-2.5,null,true],"a":"\"é\"\n","c":{}}"#);
    }

    /// Every escape, each control character, the integer limits and floats of every shape.
    #[test]
    fn test_text_is_what_serde_json_writes() {
        let controls: String = (0u8..0x20).map(char::from).collect();
        let value = json!({
            "controls": controls,
            "escapes": "\"\\/\u{7f}é😀 end",
            "": [u64::MAX, i64::MIN, 0, -0.0, 0.1, 1e300, -2.5e-300, 1e21, 123456789.125, f64::MIN_POSITIVE],
            "nested": [[[{}]], {"a": [null, false, true]}],
        });
        assert_eq!(text(&value), serde_json::to_string(&value).unwrap());
        assert!(text(&value).contains(r#""\u0000\u0001"#), "{}", text(&value));
    }

    #[test]
    fn test_object_is_what_json_makes() {
        let (name, none, inner) = (String::from("Ana"), None::<String>, json!({ "a": 1 }));
        let made = crate::object! {
            "name": name,
            "size": 3u64,
            "none": none,
            "inner": inner,
            "list": vec![1, 2],
            "nested": crate::object! {},
        };
        let expected = json!({
            "name": "Ana", "size": 3, "none": null, "inner": { "a": 1 }, "list": [1, 2], "nested": {}
        });
        assert_eq!(made, expected);
        assert_eq!(text(&crate::object! { "b": 1, "a": 2 }), r#"{"b":1,"a":2}"#, "in order");
        assert_eq!(name, "Ana", "borrowed, as json! borrows");
    }

    #[test]
    fn test_parse_reads_what_serde_json_reads() {
        let text = r#" {"b": [1, -2, 18446744073709551615, -9223372036854775808, 0.5, -0, 1e2,
            18446744073709551616, -9223372036854775809, 2.5e-3, 1E+2, null, true, false],
            "a": "\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00 é", "c": {}, "a": [[]], "": ""} "#;
        let text = text.as_bytes();
        let ours = parse(text).unwrap();
        assert_eq!(ours, serde_json::from_slice::<Value>(text).unwrap());
        assert_eq!(ours["a"], json!([[]]), "a repeated key keeps its last value");
        assert_eq!(ours.as_object().unwrap().keys().next().unwrap(), "b", "in first-seen order");
        assert!(ours["b"][2].is_u64() && ours["b"][3].is_i64() && ours["b"][7].is_f64());
    }

    #[test]
    fn test_parse_refuses_what_serde_json_refuses() {
        for bad in [
            &b""[..],
            b"  ",
            b"nul",
            b"tru",
            b"01",
            b"-",
            b"1.",
            b".5",
            b"1e",
            b"1e+",
            b"+1",
            b"1e400",
            b"-1e400",
            b"[1,]",
            b"[1 2]",
            b"{\"a\" 1}",
            b"{\"a\":1,}",
            b"{a:1}",
            b"{\"a\":1",
            b"\"\\ud800\"",
            b"\"\\udc00\"",
            b"\"\\ud800\\u0041\"",
            b"\"\\x\"",
            b"\"\\u12g4\"",
            b"\"a\nb\"",
            b"\"\xff\"",
            b"\"open",
            b"[] []",
            b"NaN",
        ] {
            assert!(parse(bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
            assert!(serde_json::from_slice::<Value>(bad).is_err(), "serde_json: {bad:?}");
        }
        let deep = |n| [vec![b'['; n], vec![b']'; n]].concat();
        assert!(parse(&deep(128)).is_ok());
        assert!(parse(&deep(129)).is_err() && serde_json::from_slice::<Value>(&deep(129)).is_err());
        assert!(parse(&deep(100_000)).is_err(), "refused, not a stack overflow");
        assert_eq!(
            parse(b"[1,]").unwrap_err().to_string(),
            "invalid JSON at byte 3: expected a value"
        );
    }

    /// The wasm's reading of a float's `text` (digits, an optional fraction and exponent,
    /// saturated as the reader saturates it).
    fn wasm_float(text: &str) -> f64 {
        let (number, exponent) = text.split_once(['e', 'E']).unwrap_or((text, "0"));
        let (integer, fraction) = number.split_once('.').unwrap_or((number, ""));
        let limit = i64::from(i32::MAX);
        let exponent = exponent.parse::<i64>().unwrap().clamp(-limit, limit) as i32;
        scaled(integer.as_bytes(), fraction.as_bytes(), exponent)
    }

    /// The wasm's floats: the nearest `f64` where one step of scaling suffices, within one unit
    /// in the last place at the ends of the range, infinite when too large, zero when too small.
    #[test]
    fn test_wasm_floats_are_exact_where_simple_and_close_at_the_extremes() {
        for text in ["0.1", "3.14159", "2.5e-3", "123456789012345.6", "1e22", "6.02214076e23"] {
            assert_eq!(wasm_float(text), text.parse::<f64>().unwrap(), "{text}");
        }
        for text in [
            "1.7976931348623157e308",
            "2.2250738585072014e-308",
            "4.9406564584124654e-324",
            "123456789012345678901234567890",
            "0.000000000000000000000000000001234",
            "9.999e-301",
        ] {
            let (ours, exact) = (wasm_float(text), text.parse::<f64>().unwrap());
            assert!(ours.to_bits().abs_diff(exact.to_bits()) <= 1, "{text}: {ours:e} vs {exact:e}");
        }
        assert_eq!(wasm_float("1.8e308"), f64::INFINITY);
        assert_eq!(wasm_float("1e-400"), 0.0);
        // Exponents past i32 saturate (and so do the digits that move them) without wrapping.
        assert_eq!(wasm_float("0.125e-99999999999"), 0.0);
        assert_eq!(wasm_float(&format!("{}e2147483647", "9".repeat(40))), f64::INFINITY);
        assert!(parse(b"1.8e308").is_err() && serde_json::from_slice::<Value>(b"1.8e308").is_err());
        assert_eq!(parse(b"1e-400").unwrap(), json!(0.0), "underflow is zero");
    }

    /// Random doubles, written as Rust writes them (the shortest text that reads back exactly,
    /// 17 digits at most): the wasm reads them within one unit in the last place, exactly in
    /// nearly every case; natively, exactly.
    #[test]
    fn test_random_doubles_read_back() {
        let mut rng = Rng(0xf10a7);
        let mut inexact = 0;
        for _ in 0..50_000 {
            let x = f64::from_bits(rng.next() >> 1);
            if !x.is_finite() {
                continue;
            }
            let number = json!(x);
            assert_eq!(super::text(&number), serde_json::to_string(&number).unwrap());
            for text in [format!("{x:e}"), format!("{x}")] {
                assert_eq!(parse(text.as_bytes()).unwrap().as_f64(), Some(x), "{text}");
                let ulps = wasm_float(&text).to_bits().abs_diff(x.to_bits());
                assert!(ulps <= 1, "{text}: {:e}", wasm_float(&text));
                inexact += usize::from(ulps != 0);
            }
        }
        assert!(inexact < 100, "{inexact} of 100,000 one unit off"); // 32 when written
    }

    /// Mutated JSON (tokens, escapes, numbers, nesting) reads the same as with serde_json, or
    /// is refused by both. Deterministic: a failure names the iteration.
    #[test]
    fn test_mutated_json_reads_as_serde_json_reads_it() {
        let seeds: [&[u8]; 4] = [
            br#"{"method":"notification","id":"TM1","payload_size":7,"headers":{"a":[1,2.5,"x"]}}"#,
            br#"[{"index":3,"body":"caf\u00e9 \ud83d\ude00","attributes":"{\"a\":null}"},-0,1e5]"#,
            br#"{"a":{"b":{"c":[true,false,null,"\\\"\/\n"]}},"n":-12345678901234567890}"#,
            b"\"plain\"",
        ];
        let tokens: [&[u8]; 14] = [
            b"{", b"}", b"[", b"]", b",", b":", b"\"", b"\\u", b"\\ud83d", b"e-", b"0.", b"-",
            b"1e308", b"null",
        ];
        let mut rng = Rng(0x5eed_0f15);
        for i in 0..20_000 {
            let input = mutate(&mut rng, seeds[i % seeds.len()], &tokens, b"");
            let ours = parse(&input);
            match serde_json::from_slice::<Value>(&input) {
                Ok(theirs) => {
                    let ours = ours.unwrap_or_else(|e| {
                        panic!("iteration {i}: {e} for {:?}", String::from_utf8_lossy(&input))
                    });
                    assert!(same(&ours, &theirs), "iteration {i}: {ours} vs {theirs}");
                    let written = serde_json::to_string(&ours).unwrap();
                    assert_eq!(text(&ours), written, "iteration {i}: written differently");
                }
                Err(_) => assert!(
                    ours.is_err(),
                    "iteration {i}: read {:?}",
                    String::from_utf8_lossy(&input)
                ),
            }
        }
    }

    /// Equal, floats within four units in the last place.
    fn same(a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::Number(x), Value::Number(y)) if x.is_f64() && y.is_f64() => {
                let (x, y) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(0.0));
                (x.to_bits() as i64 - y.to_bits() as i64).unsigned_abs() <= 4
            }
            (Value::Array(x), Value::Array(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
            }
            (Value::Object(x), Value::Object(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|((k, x), (l, y))| k == l && same(x, y))
            }
            _ => a == b,
        }
    }
}
