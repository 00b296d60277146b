//! Seeded random mutation for the property tests of this and other crates: the stable
//! toolchain's stand-ins for the fuzz targets (`fuzz/`), deterministic so a failure names a
//! reproducible iteration.

/// xorshift64.
#[derive(Debug, Clone)]
pub struct Rng(pub u64);

impl Rng {
    /// The next number.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number below `n` (zero when `n` is zero).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One to four random edits of `input`: overwrite or insert a byte of `alphabet` (any byte
/// when it is empty), delete, splice in one of `tokens`, truncate, swap two neighbours.
pub fn mutate(rng: &mut Rng, input: &[u8], tokens: &[&[u8]], alphabet: &[u8]) -> Vec<u8> {
    let mut bytes = input.to_vec();
    for _ in 0..rng.below(4) + 1 {
        let at = rng.below(bytes.len() + 1);
        let pick = |rng: &mut Rng| {
            if alphabet.is_empty() {
                rng.next() as u8
            } else {
                alphabet[rng.below(alphabet.len())]
            }
        };
        match rng.below(6) {
            0 if at < bytes.len() => bytes[at] = pick(rng),
            1 => bytes.insert(at, pick(rng)),
            2 if at < bytes.len() => {
                bytes.remove(at);
            }
            3 if !tokens.is_empty() => {
                let token = tokens[rng.below(tokens.len())];
                bytes.splice(at..at, token.iter().copied());
            }
            4 => bytes.truncate(at),
            _ if at + 1 < bytes.len() => bytes.swap(at, at + 1),
            _ => {}
        }
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_mutants_are_reproducible_and_stay_in_the_alphabet() {
        let run = || {
            let mut rng = Rng(7);
            (0..50).map(|_| mutate(&mut rng, b"abcdef", &[], b"xyz")).collect::<Vec<_>>()
        };
        let mutants = run();
        assert_eq!(mutants, run(), "the same seed, the same mutants");
        assert!(mutants.iter().any(|m| m.as_slice() != b"abcdef"));
        assert!(mutants.iter().flatten().all(|b| b"abcdefxyz".contains(b)));
    }
}
