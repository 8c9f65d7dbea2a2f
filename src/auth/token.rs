//! API tokens: `cv_` and 64 hexadecimal digits of randomness. Only their
//! SHA-256 digest is stored; with 256 random bits a slow hash adds nothing.

use sha2::{Digest, Sha256};

pub const PREFIX: &str = "cv_";

pub fn generate() -> String {
    format!("{PREFIX}{}", super::random_hex(32))
}

/// What is stored and looked up.
pub fn digest(token: &str) -> String {
    super::hex(&Sha256::digest(token.as_bytes()))
}

/// Whether a presented string has the shape of a token (checked before any
/// database lookup).
pub fn well_formed(token: &str) -> bool {
    token.len() == PREFIX.len() + 64
        && token.starts_with(PREFIX)
        && token[PREFIX.len()..].bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_stored_as_digests() {
        let token = generate();
        assert!(well_formed(&token));
        assert_ne!(token, generate());
        assert_eq!(digest(&token).len(), 64);
        assert_ne!(digest(&token), token);
        assert!(!well_formed("cv_123"));
        assert!(!well_formed(&format!("xx_{}", &token[3..])));
    }
}
