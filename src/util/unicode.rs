//! Which characters are letters or digits, in any script. In the browser its own Unicode tables
//! answer (a regular expression on Unicode's Alphabetic and Number properties), so the wasm does
//! not carry Rust's copy of them: 1.5 KB brotli (issue 15). Natively (the unit tests) Rust's
//! `char::is_alphanumeric` answers, which is defined on the same two properties; a browser test
//! (`src/browser_tests.rs`) checks that the two agree.

/// `text` with only its letters and digits.
pub fn letters_and_digits(text: &str) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        thread_local! {
            static OTHERS: js_sys::RegExp = js_sys::RegExp::new(r"[^\p{Alphabetic}\p{N}]", "gu");
        }
        OTHERS.with(|others| js_sys::JsString::from(text).replace_by_pattern(others, "").into())
    }
    #[cfg(not(target_arch = "wasm32"))]
    text.chars().filter(|c| c.is_alphanumeric()).collect()
}

/// Whether `c` is a letter or a digit.
pub fn is_letter_or_digit(c: char) -> bool {
    !letters_and_digits(c.encode_utf8(&mut [0; 4])).is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_letters_and_digits_of_any_script_are_kept() {
        assert_eq!(letters_and_digits("\u{2067}Ana\u{2069}, 42!"), "Ana42");
        assert_eq!(letters_and_digits("سارة ٣"), "سارة٣");
        assert_eq!(letters_and_digits("Zoë-李"), "Zoë李");
        assert!(is_letter_or_digit('é') && is_letter_or_digit('٣'));
        assert!(!is_letter_or_digit('.') && !is_letter_or_digit('\u{200f}'));
    }
}
