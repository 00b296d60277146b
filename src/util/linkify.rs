//! Splits message text into plain text and links. The result is rendered as text nodes and
//! `<a>` elements — never as HTML — so user content cannot inject markup, and only `http(s)`
//! links become clickable (no `javascript:`).

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
        let host_part = link
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .trim_start_matches("www.");
        if host_part.is_empty() || !host_part.contains('.') && !link.starts_with("http") {
            plain.push_str(&candidate[..link.len().max(1)]);
            rest = &candidate[link.len().max(1)..];
            continue;
        }
        if !plain.is_empty() {
            segments.push(Segment::Text(std::mem::take(&mut plain)));
        }
        let href =
            if link.starts_with("www.") { format!("https://{link}") } else { link.to_owned() };
        segments.push(Segment::Link { label: link.to_owned(), href });
        rest = &candidate[link.len()..];
    }
    if !plain.is_empty() {
        segments.push(Segment::Text(plain));
    }
    segments
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
                    at == 0 || !lower[..at].chars().last().is_some_and(|c| c.is_alphanumeric());
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
