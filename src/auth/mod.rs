//! Who is asking: passwords, API tokens, cookie sessions, CSRF protection,
//! sign-in throttling, and the extractors handlers use to require a
//! signed-in user or a role. The rules of who may see what are written
//! once, here and in the scoped queries of `db/`; docs/SECURITY.md lists them.

pub mod csrf;
pub mod extract;
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

/// A random secret: `bytes` random bytes as hexadecimal.
pub fn random_hex(bytes: usize) -> String {
    let data: Vec<u8> = (0..bytes).map(|_| rand::random::<u8>()).collect();
    hex(&data)
}
