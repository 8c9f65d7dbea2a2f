-- Accounts: passwords, roles, API tokens, sign-in throttling, the audit log.
ALTER TABLE users ADD COLUMN password_hash TEXT;
-- Raised to end every session of the user at once.
ALTER TABLE users ADD COLUMN session_epoch BIGINT NOT NULL DEFAULT 0;

CREATE TABLE user_roles (
    user_id BIGINT NOT NULL REFERENCES users (id),
    role TEXT NOT NULL CHECK (role IN ('admin', 'visit_lead', 'visitor', 'school_leader', 'department_head')),
    PRIMARY KEY (user_id, role)
);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE sign_in_failures (
    id INTEGER PRIMARY KEY NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('account', 'address')),
    key TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX sign_in_failures_key ON sign_in_failures (scope, key, at);

CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY NOT NULL,
    at TIMESTAMP NOT NULL,
    actor_id BIGINT REFERENCES users (id),
    action TEXT NOT NULL,
    record_type TEXT,
    record_id BIGINT,
    client_ip TEXT,
    detail TEXT
);
CREATE INDEX audit_events_at ON audit_events (at);
CREATE INDEX audit_events_action ON audit_events (action, at);
CREATE INDEX audit_events_record ON audit_events (record_type, record_id);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
