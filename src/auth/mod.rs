//! Who is asking: passwords, API tokens, cookie sessions, CSRF protection,
//! sign-in throttling, and the extractors handlers use to require a
//! signed-in user or a role. The rules of who may see what are written
//! once, here and in the scoped queries of `db/`; docs/SECURITY.md lists them.

pub mod csrf;
pub mod extract;
pub mod oidc;
pub mod password;
pub mod session;
pub mod token;

pub use extract::{Admin, CurrentUser, Planner};

/// Compares two secrets in time that does not depend on where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Lower-case hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// HMAC-SHA256 of `message` under `key`: links that carry their own
/// authority (unsubscribe, password reset) are signed with it.
pub fn sign(key: &str, message: &str) -> [u8; 32] {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).expect("any key length");
    mac.update(message.as_bytes());
    mac.finalize().into_bytes().into()
}

/// A random secret: `bytes` random bytes as hexadecimal.
pub fn random_hex(bytes: usize) -> String {
    let data: Vec<u8> = (0..bytes).map(|_| rand::random::<u8>()).collect();
    hex(&data)
}

/// The signature of an unsubscribe link for `user_id` and `kind`: only
/// whoever holds the key can make one, so the link itself is the proof.
pub fn unsubscribe_signature(key: &str, user_id: i64, kind: &str) -> String {
    let message = format!("unsubscribe:{user_id}:{kind}");
    hex(&sign(key, &message)[..16])
}

/// The One-Click unsubscribe address for `user_id` and `kind`.
pub fn unsubscribe_url(base: &str, key: &str, user_id: i64, kind: &str) -> String {
    format!(
        "{base}/unsubscribe/{user_id}/{kind}/{}",
        unsubscribe_signature(key, user_id, kind)
    )
}
