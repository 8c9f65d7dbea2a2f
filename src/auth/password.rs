//! Password hashing with Argon2id (m = 19 MiB, t = 2, p = 1, the OWASP
//! minimum). Hashing is slow by design: callers run it on the blocking pool.

use std::sync::LazyLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) to store.
pub fn hash(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .expect("Argon2 hashes any password")
        .to_string()
}

/// Whether `password` matches the stored `hash`.
pub fn verify(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

static DUMMY: LazyLock<String> = LazyLock::new(|| hash("a password nobody has"));

/// Spends the time of a real verification, so that an unknown email cannot
/// be told from a wrong password by how long the answer takes.
pub fn verify_nobody(password: &str) {
    let _ = verify(password, &DUMMY);
}

/// A new random password for a person to change: five groups of four
/// letters and digits, easy to read aloud (no 0/o, 1/l).
pub fn generate() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    (0..5)
        .map(|_| {
            (0..4)
                .map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char)
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_use_argon2id_with_the_chosen_cost() {
        let stored = hash("correct horse battery staple");
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        assert!(verify("correct horse battery staple", &stored));
        assert!(!verify("correct horse battery stapler", &stored));
        assert!(!verify("anything", "not a hash"));
        assert_ne!(hash("same"), hash("same"), "salted");
    }

    #[test]
    fn generated_passwords_meet_the_rules() {
        let password = generate();
        assert_eq!(password.len(), 24);
        assert!(crate::domain::account::NewPassword::parse(&password).is_ok());
        assert_ne!(generate(), generate());
    }
}
