//! Cache-key digests: the text (or the bytes) that says what a cache entry
//! depends on, hashed to the 40 hex digits every key is made of. Written
//! once so that every kind of key is made alike; changing it changes every
//! key, and so every cache entry would be made afresh.

/// Hex digits of the BLAKE3 hash a key keeps.
const DIGITS: usize = 40;

/// The key of a description.
pub fn key(text: &str) -> String {
    let mut d = Digest::default();
    d.update(text.as_bytes());
    d.finish()
}

/// A key of bytes fed a piece at a time.
#[derive(Default)]
pub struct Digest(blake3::Hasher);

impl Digest {
    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    pub fn finish(&self) -> String {
        self.0.finalize().to_hex()[..DIGITS].to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_the_first_40_hex_digits_of_blake3() {
        assert_eq!(key(""), "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9");
        let mut d = Digest::default();
        d.update(b"audio-");
        d.update(b"mix\n");
        assert_eq!(d.finish(), key("audio-mix\n"));
    }
}
