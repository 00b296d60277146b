//! Minifies the widget's stylesheets into `OUT_DIR` (`src/mount.rs` compiles them into the wasm):
//! comments and the whitespace CSS does not need go, so every build ships fewer bytes while
//! `style/` stays readable. Deliberately conservative: it only drops whitespace next to `{ } ; , : >`
//! and after `(`, and the `;` before a `}`. Strings are copied untouched. The e2e test
//! `tests/e2e/style.test.mjs` checks in Chromium that the shipped sheet parses to the same rules
//! as the source.

use std::{env, fs, path::Path};

const SHEETS: [&str; 2] = ["main.css", "agent_desk.css"];

fn main() {
    let out = env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    for name in SHEETS {
        let source = Path::new("style").join(name);
        println!("cargo:rerun-if-changed={}", source.display());
        let css =
            fs::read_to_string(&source).unwrap_or_else(|e| panic!("{}: {e}", source.display()));
        fs::write(Path::new(&out).join(name), minify(&css)).expect("write the minified CSS");
    }
}

/// Whitespace before or after these never matters. Not before `(` (`and (` is not `and(`, a
/// function), nor before `:` (`.a :hover` is not `.a:hover`).
fn drops_space_after(c: char) -> bool {
    matches!(c, '{' | '}' | ';' | ',' | ':' | '>' | '(')
}
fn drops_space_before(c: char) -> bool {
    matches!(c, '{' | '}' | ';' | ',' | '>' | ')')
}

fn minify(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut chars = css.chars().peekable();
    let mut space = false;
    while let Some(c) = chars.next() {
        if c == '/' && chars.peek() == Some(&'*') {
            chars.next();
            let mut previous = '\0';
            for d in chars.by_ref() {
                if previous == '*' && d == '/' {
                    break;
                }
                previous = d;
            }
            // A comment separates tokens as whitespace would.
            space = true;
            continue;
        }
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space
            && !drops_space_before(c)
            && out.chars().next_back().is_some_and(|l| !drops_space_after(l))
        {
            out.push(' ');
        }
        space = false;
        if c == '}' && out.ends_with(';') {
            out.pop();
        }
        out.push(c);
        if c == '"' || c == '\'' {
            // Copied as written, escapes included, up to the closing quote.
            while let Some(d) = chars.next() {
                out.push(d);
                if d == '\\' {
                    if let Some(e) = chars.next() {
                        out.push(e);
                    }
                } else if d == c {
                    break;
                }
            }
        }
    }
    out
}
