-- Sessions that were signed out. A session cookie is encrypted and signed,
-- so only its id needs remembering: a cookie kept from before sign-out no
-- longer signs anyone in, on any instance. Rows older than the longest
-- session lifetime are pruned.
CREATE TABLE ended_sessions (
    sid TEXT PRIMARY KEY NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    ended_at TIMESTAMP NOT NULL
);
CREATE INDEX ended_sessions_ended_at ON ended_sessions (ended_at);
