//! The widget's linkify on arbitrary text: the segments put back together are the text, and
//! every link points to `http://` or `https://` (anything else in an href, such as a relative
//! URL or another scheme, would be followed on the host site).
#![no_main]

use libfuzzer_sys::fuzz_target;

// The widget crate is cdylib-only (an rlib would make the shipped wasm larger), so nothing can
// depend on it; its pure module is compiled in here directly instead.
#[path = "../../src/util/linkify.rs"]
#[allow(dead_code)]
mod linkify;

use linkify::{linkify, Segment};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut joined = String::with_capacity(text.len());
    for segment in linkify(text) {
        match segment {
            Segment::Text(t) => joined.push_str(&t),
            Segment::Link { label, href } => {
                assert!(
                    href.starts_with("http://") || href.starts_with("https://"),
                    "non-http href {href:?} for {text:?}"
                );
                joined.push_str(&label);
            }
        }
    }
    assert_eq!(joined, text, "linkify changed the text");
});
