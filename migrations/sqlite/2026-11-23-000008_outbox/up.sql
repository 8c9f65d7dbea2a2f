-- Email waiting to be sent. A message is written in the same transaction as
-- the event that causes it; workers claim rows with a lease, send them, and
-- mark them sent, or retry later, or failed with the server's reason.
CREATE TABLE outbox_messages (
    id INTEGER PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    recipient_id BIGINT REFERENCES users (id),
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL,
    -- At most one message per key (a reminder of one kind for one item on
    -- one day); NULL for messages that need no such guard.
    dedupe_key TEXT UNIQUE,
    status TEXT NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    lease_until TIMESTAMP,
    last_error TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);

CREATE INDEX outbox_messages_due ON outbox_messages (status, next_attempt_at);

-- Reminders go this many days before an item's due date.
ALTER TABLE district_settings ADD COLUMN due_soon_days INTEGER NOT NULL DEFAULT 3 CHECK (due_soon_days BETWEEN 1 AND 60);

-- The One-Click unsubscribe address of a message (digests), sent as its
-- List-Unsubscribe header.
ALTER TABLE outbox_messages ADD COLUMN list_unsubscribe TEXT;

-- The kinds of email a person has turned off.
CREATE TABLE mail_opt_outs (
    user_id BIGINT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL CHECK (kind IN ('visit_summary', 'assignment', 'due_soon', 'overdue', 'digest')),
    PRIMARY KEY (user_id, kind)
);

-- The district's time zone (IANA name): its days decide reminders and the
-- Monday digest.
ALTER TABLE district_settings ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
