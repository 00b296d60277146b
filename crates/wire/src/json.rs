//! JSON text, written one way.

use serde_json::Value;

/// `value` as compact JSON text: what `value.to_string()` writes, without `Display`. That path
/// also carries serde_json's pretty printer and an `io::Write` adapter over the formatter, which
/// would ship in the widget's wasm for nothing (issue 15); this is `serde_json::to_vec`'s, which
/// frame payloads take already.
pub fn text(value: &Value) -> String {
    // Writing a `Value` cannot fail: its map keys are strings.
    serde_json::to_string(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn test_text_is_what_display_writes() {
        let value = json!({ "b": [1, -2.5, null, true], "a": "\"é\"\n", "c": {} });
        assert_eq!(text(&value), value.to_string());
        assert_eq!(text(&value), r#"{"b":[1,-2.5,null,true],"a":"\"é\"\n","c":{}}"#);
    }
}
