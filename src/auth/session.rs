//! What a session cookie carries. The cookie is signed and encrypted with
//! `SESSION_KEY` (actix-session's private cookie store), so no instance keeps
//! session state and any instance can serve any request.

use actix_session::Session;
use serde::{Deserialize, Serialize};

const KEY: &str = "s";

/// The state of one browser's session.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SessionState {
    /// The signed-in user; `None` before sign-in.
    pub user_id: Option<i64>,
    /// The user's session epoch at sign-in; raising it ends the session.
    pub epoch: i64,
    /// Changes at every sign-in.
    pub sid: String,
    /// The CSRF token forms and scripts must send back.
    pub csrf: String,
    /// Unix seconds: when the user signed in, and when last seen.
    pub started: i64,
    pub seen: i64,
}

impl SessionState {
    fn anonymous(now: i64) -> Self {
        Self {
            user_id: None,
            epoch: 0,
            sid: super::random_hex(16),
            csrf: super::random_hex(32),
            started: now,
            seen: now,
        }
    }

    pub fn signed_in(user_id: i64, epoch: i64, now: i64) -> Self {
        Self {
            user_id: Some(user_id),
            epoch,
            ..Self::anonymous(now)
        }
    }
}

pub fn read(session: &Session) -> Option<SessionState> {
    session.get::<SessionState>(KEY).ok().flatten()
}

pub fn write(session: &Session, state: &SessionState) {
    // Serialising this plain struct cannot fail.
    let _ = session.insert(KEY, state);
}

/// The session's CSRF token, starting an anonymous session if there is none
/// (the sign-in form needs one too).
pub fn csrf_token(session: &Session, now: i64) -> String {
    match read(session) {
        Some(state) => state.csrf,
        None => {
            let state = SessionState::anonymous(now);
            write(session, &state);
            state.csrf
        }
    }
}

/// Replaces whatever the browser had with a fresh signed-in session: new
/// id, new CSRF token, so nothing planted before sign-in survives it.
pub fn begin(session: &Session, user_id: i64, epoch: i64, now: i64) {
    // Not `purge`, which would drop the cookie this very response sets.
    session.clear();
    session.renew();
    write(session, &SessionState::signed_in(user_id, epoch, now));
}

pub fn end(session: &Session) {
    session.purge();
}
