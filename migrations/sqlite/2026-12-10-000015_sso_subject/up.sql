-- The subject (`sub`) of the person at the district's OpenID Provider,
-- linked at their first single sign-on; later sign-ins match it first.
ALTER TABLE users ADD COLUMN sso_subject TEXT;
CREATE UNIQUE INDEX users_sso_subject ON users (sso_subject);
