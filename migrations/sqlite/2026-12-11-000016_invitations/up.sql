-- An invitation to set a password (or sign in with the district's
-- provider): a one-time link, valid seven days. Only the SHA-256 digest of
-- the link's token is kept. A link is spent once used, revoked by an
-- administrator or by a newer invitation to the same person.
CREATE TABLE invitations (
    id INTEGER PRIMARY KEY NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL UNIQUE,
    invited_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    spent_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX invitations_user ON invitations (user_id);
