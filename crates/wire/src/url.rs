//! One URL path segment from any text: identities, SIDs and map keys may hold any character,
//! and `/`, `?`, `#`, `%` and the like would change the path. The client, the backend and the
//! emulator encode alike.

/// `text` percent-encoded as one path segment: RFC 3986's unreserved characters stay, every
/// other byte of its UTF-8 becomes `%XX`.
pub fn path_segment(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.extend([
                '%',
                char::from(HEX[usize::from(b >> 4)]),
                char::from(HEX[usize::from(b & 15)]),
            ]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::path_segment;

    #[test]
    fn test_unreserved_characters_stay_and_every_other_byte_is_escaped() {
        assert_eq!(path_segment("Az09-_.~"), "Az09-_.~");
        assert_eq!(path_segment("a/b?c#d%e f"), "a%2Fb%3Fc%23d%25e%20f");
        assert_eq!(path_segment("visitor+1@example.com"), "visitor%2B1%40example.com");
        assert_eq!(path_segment("zoë"), "zo%C3%AB");
        // An identity cannot climb out of its path.
        assert_eq!(path_segment("../Conversations?x#y"), "..%2FConversations%3Fx%23y");
        assert_eq!(path_segment(""), "");
    }
}
