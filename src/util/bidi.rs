//! Bidirectional-text safety for names other people chose.

/// Stands in for a name while a catalogue sentence is formatted (a private-use character no
/// translation contains).
pub const PLACEHOLDER: &str = "\u{E000}";

/// A sentence formatted with [`PLACEHOLDER`] for the name, split around it, so the name can be
/// shown in its own isolating element (`<bdi>`): then neither right-to-left script nor an
/// unterminated U+202E override in the name can reorder the words around it.
pub fn around(sentence: &str) -> (&str, &str) {
    sentence.split_once(PLACEHOLDER).unwrap_or((sentence, ""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_around_splits_at_the_placeholder() {
        let sentence = format!("{PLACEHOLDER} est en train d'écrire…");
        assert_eq!(around(&sentence), ("", " est en train d'écrire…"));
        assert_eq!(around("no name here"), ("no name here", ""));
    }
}
