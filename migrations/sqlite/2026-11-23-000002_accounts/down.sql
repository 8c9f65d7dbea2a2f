DROP TABLE audit_events;
DROP TABLE sign_in_failures;
DROP TABLE api_tokens;
DROP TABLE user_roles;
ALTER TABLE users DROP COLUMN session_epoch;
ALTER TABLE users DROP COLUMN password_hash;
