//! What a person's round avatar shows: their picture if they named a safe one, else their
//! initials on a colour of their own.

use serde_json::Value;

use super::unicode;

/// The picture in participant `attributes.avatar`, if it is an `https:` URL. Anything else
/// (`http:` would be mixed content; `javascript:` and `data:` are not pictures of anyone) is
/// ignored, as are URLs browsers would read differently from how they look (a `\` is a `/` to
/// them, and tabs and newlines are dropped).
pub fn image_url(attributes: &Value) -> Option<&str> {
    attributes["avatar"].as_str().filter(|url| {
        url.len() > "https://".len()
            && url.get(..8).is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"))
            && !url.chars().any(|c| c == '\\' || c.is_whitespace() || c.is_control())
    })
}

/// Up to two initials of a name, in any script: the first letters of its first and last
/// words ("Ana Lima" → "AL"), or the first two of a single word ("Ana" → "An", shown "AN") so
/// that one letter does not look like a mistake. Their case is the name's: the stylesheet shows
/// them in capitals (`text-transform: uppercase` on `.convo-avatar`, with Unicode's full
/// mapping: "ß" shows as "SS"), so the wasm carries no case table (about 12 KB before
/// compression, for this one use).
pub fn initials(name: &str) -> String {
    // Letters and digits only, past isolate and override marks.
    let word = |w: &str| unicode::letters_and_digits(w).chars().collect::<Vec<char>>();
    let words: Vec<Vec<char>> =
        name.split_whitespace().map(word).filter(|w| !w.is_empty()).collect();
    let letters: Vec<char> = match words.as_slice() {
        [] => Vec::new(),
        [only] => only.iter().take(2).copied().collect(),
        [first, .., last] => vec![first[0], last[0]],
    };
    letters.into_iter().collect()
}

/// How many background colours initials have: `data-colour` 0 to 7, each defined in the
/// stylesheet (a strict Content-Security-Policy forbids inline styles). Each is dark enough
/// for white text at 4.5:1 or more (WCAG AA for small text; the test below measures them).
pub const COLOURS: u32 = 8;

/// A colour of `identity`'s own, the same on every page and visit (FNV-1a of the identity, not
/// of the name: two agents both called Ana still look different).
pub fn colour(identity: &str) -> u32 {
    let hash =
        identity.bytes().fold(0x811c_9dc5_u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193));
    hash % COLOURS
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn test_only_https_pictures_are_used() {
        let url = |v: Value| image_url(&json!({ "avatar": v })).map(str::to_owned);
        assert_eq!(
            url(json!("https://cdn.example/ana.png")).as_deref(),
            Some("https://cdn.example/ana.png")
        );
        assert!(url(json!("HTTPS://cdn.example/ana.png")).is_some(), "schemes are case-blind");
        for bad in [
            "http://cdn.example/ana.png",
            "javascript:alert(1)",
            "data:image/svg+xml,<svg onload=alert(1)>",
            "/ana.png",
            "//cdn.example/ana.png",
            "https://",
            "https:/\\evil.example/a.png",
            "https://cdn.example/a b.png",
            "https://cdn.example/\ta.png",
            "http://x\"onerror=\"alert(1)",
        ] {
            assert_eq!(url(json!(bad)), None, "{bad}");
        }
        assert_eq!(url(json!(42)), None);
        assert_eq!(image_url(&json!({})), None);
        assert_eq!(image_url(&Value::Null), None);
    }

    #[test]
    fn test_initials_of_one_two_and_many_words_in_any_script() {
        assert_eq!(initials("Ana"), "An");
        assert_eq!(initials("ana Lima"), "aL", "the stylesheet capitalises them");
        assert_eq!(initials("Ana Maria de Lima"), "AL");
        assert_eq!(initials("  \u{2067}Ana\u{2069} "), "An", "past isolate marks");
        assert_eq!(initials("سارة"), "سا");
        assert_eq!(initials("é"), "é");
        assert_eq!(initials("!!"), "");
        assert_eq!(initials(""), "");
    }

    /// WCAG relative luminance of `#rrggbb`.
    fn luminance(hex: &str) -> f64 {
        let channel = |i: usize| {
            let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
            if c <= 0.039_28 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
    }

    #[test]
    fn test_every_colour_keeps_white_initials_readable_and_identities_spread() {
        let css = include_str!("../../style/main.css");
        for i in 0..COLOURS {
            let rule = format!(".convo-avatar[data-colour=\"{i}\"] {{ background: #");
            let at = css.find(&rule).unwrap_or_else(|| panic!("no rule for colour {i}"));
            let hex = &css[at + rule.len() - 1..at + rule.len() + 6];
            let contrast = 1.05 / (luminance(hex) + 0.05);
            assert!(contrast >= 4.5, "{hex}: {contrast:.2}");
        }
        assert!(css.contains(".convo-avatar--row { color: #ffffff;"), "white initials");
        let avatar = &css[css.find("\n.convo-avatar {").unwrap()..];
        assert!(
            avatar[..avatar.find('}').unwrap()].contains("text-transform: uppercase;"),
            "capitals"
        );
        assert_eq!(colour("agent-ana"), colour("agent-ana"));
        let used: std::collections::HashSet<u32> =
            (0..64).map(|i| colour(&format!("agent-{i}"))).collect();
        assert_eq!(used.len(), COLOURS as usize, "every colour is used");
    }
}
