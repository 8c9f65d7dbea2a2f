-- Observation snapshots and their look-for ticks. Each submission carries a
-- key made on the device; (author, key) is unique, so a retried submission
-- is never stored twice.
CREATE TABLE observations (
    id INTEGER PRIMARY KEY NOT NULL,
    visit_id BIGINT NOT NULL REFERENCES visits (id),
    author_id BIGINT NOT NULL REFERENCES users (id),
    framework_id BIGINT NOT NULL REFERENCES frameworks (id),
    setting TEXT NOT NULL CHECK (setting IN ('classroom', 'collaboration', 'planning', 'tour')),
    room TEXT NOT NULL DEFAULT '',
    grade_band TEXT NOT NULL DEFAULT '',
    subject TEXT NOT NULL DEFAULT '',
    started_at TEXT,
    rating INTEGER CHECK (rating BETWEEN 1 AND 4),
    notes TEXT NOT NULL DEFAULT '',
    idempotency_key TEXT NOT NULL,
    body_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (author_id, idempotency_key)
);
CREATE INDEX observations_visit ON observations (visit_id);

CREATE TABLE indicator_ticks (
    observation_id BIGINT NOT NULL REFERENCES observations (id) ON DELETE CASCADE,
    indicator_id BIGINT NOT NULL REFERENCES indicators (id),
    tick TEXT NOT NULL CHECK (tick IN ('observed', 'partly', 'not_observed', 'not_applicable')),
    PRIMARY KEY (observation_id, indicator_id)
);
CREATE INDEX indicator_ticks_indicator ON indicator_ticks (indicator_id);
