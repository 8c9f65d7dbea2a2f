-- One secret calendar link per person; only its digest is kept.
CREATE TABLE calendar_feeds (
    user_id BIGINT PRIMARY KEY NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);
