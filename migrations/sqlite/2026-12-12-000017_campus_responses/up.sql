-- The campus's answer to a published debrief: whether its leaders agree,
-- the context they add, and what they need from which department (a need
-- may become an action item, added by the visit lead). Each revision
-- raises the version; the audit log keeps who wrote it.
CREATE TABLE campus_responses (
    visit_id BIGINT PRIMARY KEY NOT NULL REFERENCES visits (id),
    agreement TEXT NOT NULL CHECK (agreement IN ('agree', 'partly', 'disagree')),
    context TEXT NOT NULL DEFAULT '',
    author_id BIGINT REFERENCES users (id),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE TABLE campus_response_needs (
    id INTEGER PRIMARY KEY NOT NULL,
    visit_id BIGINT NOT NULL REFERENCES campus_responses (visit_id),
    department_id BIGINT NOT NULL REFERENCES departments (id),
    need TEXT NOT NULL,
    position INTEGER NOT NULL,
    item_id BIGINT REFERENCES action_items (id)
);
CREATE INDEX campus_response_needs_visit ON campus_response_needs (visit_id);
-- A school leader's acknowledgement of one of the campus's action steps.
CREATE TABLE step_acknowledgements (
    item_id BIGINT PRIMARY KEY NOT NULL REFERENCES action_items (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    acknowledged_at TIMESTAMP NOT NULL
);
