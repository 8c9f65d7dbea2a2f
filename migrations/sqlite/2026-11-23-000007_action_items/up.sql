-- District settings (one row), the teacher field on observations, and the
-- action items a visit produces: proposals generated from the evidence,
-- reviewed in the debrief, published, updated and verified later.
CREATE TABLE district_settings (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    teacher_field BOOLEAN NOT NULL DEFAULT 0,
    weak_share_percent INTEGER NOT NULL DEFAULT 50 CHECK (weak_share_percent BETWEEN 1 AND 100),
    weak_min_snapshots INTEGER NOT NULL DEFAULT 3 CHECK (weak_min_snapshots >= 1),
    department_due_days INTEGER NOT NULL DEFAULT 30 CHECK (department_due_days >= 1),
    school_due_days INTEGER NOT NULL DEFAULT 14 CHECK (school_due_days >= 1),
    updated_at TIMESTAMP NOT NULL
);

ALTER TABLE observations ADD COLUMN teacher TEXT NOT NULL DEFAULT '';

CREATE TABLE action_items (
    id INTEGER PRIMARY KEY NOT NULL,
    visit_id BIGINT NOT NULL REFERENCES visits (id),
    school_id BIGINT NOT NULL REFERENCES schools (id),
    kind TEXT NOT NULL CHECK (kind IN ('department', 'school')),
    department_id BIGINT REFERENCES departments (id),
    title TEXT NOT NULL,
    evidence TEXT NOT NULL DEFAULT '',
    source_key TEXT,
    edited BOOLEAN NOT NULL DEFAULT 0,
    status TEXT NOT NULL CHECK (status IN ('proposed', 'open', 'in_progress', 'done', 'verified', 'blocked', 'dropped', 'resolved')),
    reason TEXT NOT NULL DEFAULT '',
    priority TEXT NOT NULL DEFAULT 'normal' CHECK (priority IN ('high', 'normal', 'low')),
    owner_id BIGINT REFERENCES users (id),
    due_on DATE,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((kind = 'department') = (department_id IS NOT NULL)),
    UNIQUE (visit_id, source_key)
);
CREATE INDEX action_items_visit ON action_items (visit_id);
CREATE INDEX action_items_department ON action_items (department_id, status, due_on);
CREATE INDEX action_items_school ON action_items (school_id, status, due_on);
CREATE INDEX action_items_owner ON action_items (owner_id);

CREATE TABLE action_item_indicators (
    item_id BIGINT NOT NULL REFERENCES action_items (id) ON DELETE CASCADE,
    indicator_id BIGINT NOT NULL REFERENCES indicators (id),
    PRIMARY KEY (item_id, indicator_id)
);

CREATE TABLE action_item_updates (
    id INTEGER PRIMARY KEY NOT NULL,
    item_id BIGINT NOT NULL REFERENCES action_items (id) ON DELETE CASCADE,
    author_id BIGINT REFERENCES users (id),
    at TIMESTAMP NOT NULL,
    status TEXT NOT NULL,
    change TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX action_item_updates_item ON action_item_updates (item_id, id);

CREATE TABLE action_item_checks (
    item_id BIGINT NOT NULL REFERENCES action_items (id) ON DELETE CASCADE,
    visit_id BIGINT NOT NULL REFERENCES visits (id),
    result TEXT NOT NULL CHECK (result IN ('verified', 'still_open', 'not_started')),
    note TEXT NOT NULL DEFAULT '',
    author_id BIGINT REFERENCES users (id),
    at TIMESTAMP NOT NULL,
    PRIMARY KEY (item_id, visit_id)
);
