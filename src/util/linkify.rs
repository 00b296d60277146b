//! Splits message text into plain text and links. The result is rendered as text nodes and
//! `<a>` elements — never as HTML — so user content cannot inject markup, and only `http(s)`
//! links become clickable (no `javascript:`).

use super::unicode;

/// A piece of a message body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// Shown as text.
    Text(String),
    /// Shown as a link to `href` with `label` as its text.
    Link {
        /// What the user wrote.
        label: String,
        /// Where it goes (`www.` gets `https://`).
        href: String,
    },
}

/// Finds `http://`, `https://` and `www.` links in `text`.
pub fn linkify(text: &str) -> Vec<Segment> {
    let mut segments = Vec::new();
    let mut plain = String::new();
    let mut rest = text;
    while !rest.is_empty() {
        let start = find_link_start(rest);
        let Some(start) = start else {
            plain.push_str(rest);
            break;
        };
        plain.push_str(&rest[..start]);
        let candidate = &rest[start..];
        let end = candidate
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"'))
            .unwrap_or(candidate.len());
        let mut link = &candidate[..end];
        // Trailing punctuation usually ends the sentence, not the URL.
        while let Some(last) = link.chars().last() {
            let unbalanced_paren =
                last == ')' && link.matches('(').count() < link.matches(')').count();
            if matches!(last, '.' | ',' | '!' | '?' | ':' | ';' | '\'') || unbalanced_paren {
                link = &link[..link.len() - last.len_utf8()];
            } else {
                break;
            }
        }
        // Detection is case-insensitive, so every prefix check here must be too: `Www.x` kept
        // as-is would be a relative href, and `Www.x:8080` would parse as the scheme `www.x:`.
        let (scheme, after_scheme) = if let Some(rest) = strip_prefix_ignore_case(link, "https://")
        {
            ("https://", rest)
        } else if let Some(rest) = strip_prefix_ignore_case(link, "http://") {
            ("http://", rest)
        } else {
            ("", link)
        };
        let host_part = strip_prefix_ignore_case(after_scheme, "www.").unwrap_or(after_scheme);
        if host_part.is_empty() || !host_part.contains('.') && scheme.is_empty() {
            plain.push_str(&candidate[..link.len().max(1)]);
            rest = &candidate[link.len().max(1)..];
            continue;
        }
        // The scheme is written in lower case so the href's scheme is exactly http(s), whatever
        // case the user typed; a bare `www.` link gets https.
        let href = match scheme {
            "" => format!("https://{link}"),
            scheme => format!("{scheme}{after_scheme}"),
        };
        // Cannot fail as built above; tests and the fuzz target (debug assertions on) check it,
        // and a shipped widget would rather show text than panic or link elsewhere.
        let http = href.starts_with("http://") || href.starts_with("https://");
        debug_assert!(http, "linkify made a non-http href: {href:?}");
        if !http {
            plain.push_str(link);
            rest = &candidate[link.len()..];
            continue;
        }
        if !plain.is_empty() {
            segments.push(Segment::Text(std::mem::take(&mut plain)));
        }
        segments.push(Segment::Link { label: link.to_owned(), href });
        rest = &candidate[link.len()..];
    }
    if !plain.is_empty() {
        segments.push(Segment::Text(plain));
    }
    segments
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    // `prefix` is ASCII, so a match ends on a char boundary.
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &text[prefix.len()..])
}

fn find_link_start(text: &str) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    ["https://", "http://", "www."]
        .iter()
        .filter_map(|prefix| {
            let mut from = 0;
            while let Some(found) = lower[from..].find(prefix) {
                let at = from + found;
                // A link starts a word: "nothttp://x" is not one.
                let boundary =
                    at == 0 || !lower[..at].chars().last().is_some_and(unicode::is_letter_or_digit);
                let has_more = lower.len() > at + prefix.len();
                if boundary && has_more {
                    return Some(at);
                }
                from = at + prefix.len();
            }
            None
        })
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(label: &str, href: &str) -> Segment {
        Segment::Link { label: label.into(), href: href.into() }
    }

    fn text(s: &str) -> Segment {
        Segment::Text(s.into())
    }

    #[test]
    fn test_links_are_found_and_punctuation_is_left_out() {
        assert_eq!(
            linkify("See https://example.com/a?b=1&c=2. Or www.rust-lang.org!"),
            [
                text("See "),
                link("https://example.com/a?b=1&c=2", "https://example.com/a?b=1&c=2"),
                text(". Or "),
                link("www.rust-lang.org", "https://www.rust-lang.org"),
                text("!")
            ]
        );
        assert_eq!(
            linkify("(https://x.org/wiki/A_(b))"),
            [text("("), link("https://x.org/wiki/A_(b)", "https://x.org/wiki/A_(b)"), text(")")]
        );
    }

    #[test]
    fn test_nothing_but_http_links_becomes_a_link() {
        for inert in [
            "javascript:alert(1)",
            "<script>alert(1)</script>",
            "data:text/html,<b>",
            "mailto:a@b.c",
            "nothttp://x.org",
            "www.",
        ] {
            assert!(linkify(inert).iter().all(|s| matches!(s, Segment::Text(_))), "{inert}");
        }
        // Markup around a URL stays text; the URL stops at the angle bracket.
        assert_eq!(
            linkify("<a href=\"https://evil.example\">"),
            [text("<a href=\""), link("https://evil.example", "https://evil.example"), text("\">")]
        );
    }

    #[test]
    fn test_mixed_case_prefixes_still_give_http_hrefs() {
        // Security review F10: the prefix checks were case-sensitive.
        assert_eq!(
            linkify("wWw.rust-lang.org"),
            [link("wWw.rust-lang.org", "https://wWw.rust-lang.org")]
        );
        assert_eq!(
            linkify("go to Www.example.com:8080/x now"),
            [
                text("go to "),
                link("Www.example.com:8080/x", "https://Www.example.com:8080/x"),
                text(" now")
            ]
        );
        assert_eq!(linkify("HTTPS://Ex.am/P"), [link("HTTPS://Ex.am/P", "https://Ex.am/P")]);
        assert_eq!(linkify("Http://x"), [link("Http://x", "http://x")]);
        assert_eq!(linkify("HTTP://wWw."), [link("HTTP://wWw", "http://wWw"), text(".")]);
        assert_eq!(linkify("Www."), [text("Www.")]);
    }

    /// The fuzz target's properties (fuzz/fuzz_targets/linkify.rs), on a seeded sweep of
    /// strings built from the pieces that matter, so every `cargo test` checks them briefly.
    #[test]
    fn test_random_text_round_trips_and_links_only_http() {
        const PIECES: [&str; 22] = [
            "http://",
            "https://",
            "www.",
            "HTTP://",
            "Www.",
            "wWw.",
            "hTtPs://",
            "javascript:",
            "a",
            "Z",
            "9",
            ".",
            ",",
            ":",
            "(",
            ")",
            " ",
            "\n",
            "<",
            "\"",
            "é",
            "🎉",
        ];
        let mut state = 0x2545_F491_4F6C_DD1D_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..5_000 {
            let len = (next() % 12) as usize;
            let s: String =
                (0..len).map(|_| PIECES[(next() % PIECES.len() as u64) as usize]).collect();
            let mut joined = String::new();
            for segment in linkify(&s) {
                match segment {
                    Segment::Text(t) => joined.push_str(&t),
                    Segment::Link { label, href } => {
                        assert!(
                            href.starts_with("http://") || href.starts_with("https://"),
                            "{s:?} gave href {href:?}"
                        );
                        joined.push_str(&label);
                    }
                }
            }
            assert_eq!(joined, s);
        }
    }

    #[test]
    fn test_text_round_trips() {
        for s in ["", "plain", "émoji 🎉 https://ex.am/ple é", "a www.b.c d", "http://", "https://"]
        {
            let joined: String = linkify(s)
                .into_iter()
                .map(|seg| match seg {
                    Segment::Text(t) => t,
                    Segment::Link { label, .. } => label,
                })
                .collect();
            assert_eq!(joined, s);
        }
    }
}
