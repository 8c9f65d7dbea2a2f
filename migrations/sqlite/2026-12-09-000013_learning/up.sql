-- Professional learning: the catalogue of offerings the departments run,
-- their sessions (grouped in series), the items that send a campus to
-- them, and each campus's registrations and attendance.
CREATE TABLE learning_series (
    id INTEGER PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX learning_series_name ON learning_series (lower(name));

CREATE TABLE offerings (
    id INTEGER PRIMARY KEY NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    format TEXT NOT NULL CHECK (format IN ('on_site', 'online', 'blended')),
    department_id BIGINT NOT NULL REFERENCES departments (id),
    audience TEXT NOT NULL CHECK (audience IN ('teachers', 'leaders', 'both')),
    -- Credit hours in tenths (15 is 1.5 hours).
    credit_tenths INTEGER NOT NULL CHECK (credit_tenths BETWEEN 0 AND 1000),
    active BOOLEAN NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX offerings_title ON offerings (lower(title));
CREATE INDEX offerings_department ON offerings (department_id);

-- The look-fors an offering addresses, by code: framework versions share
-- codes, as the dashboards read them.
CREATE TABLE offering_look_fors (
    offering_id BIGINT NOT NULL REFERENCES offerings (id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    PRIMARY KEY (offering_id, code)
);
CREATE INDEX offering_look_fors_code ON offering_look_fors (code);

CREATE TABLE learning_sessions (
    id INTEGER PRIMARY KEY NOT NULL,
    offering_id BIGINT NOT NULL REFERENCES offerings (id),
    series_id BIGINT REFERENCES learning_series (id),
    -- The day and wall-clock times in the district's time zone.
    on_date DATE NOT NULL,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    place TEXT NOT NULL,
    capacity INTEGER NOT NULL CHECK (capacity BETWEEN 1 AND 10000),
    facilitator_id BIGINT REFERENCES users (id),
    cancelled BOOLEAN NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (starts_at < ends_at)
);
CREATE INDEX learning_sessions_offering ON learning_sessions (offering_id, on_date);
CREATE INDEX learning_sessions_date ON learning_sessions (on_date);
CREATE INDEX learning_sessions_series ON learning_sessions (series_id);

-- One registration per campus and session; its count may change.
CREATE TABLE session_registrations (
    id INTEGER PRIMARY KEY NOT NULL,
    session_id BIGINT NOT NULL REFERENCES learning_sessions (id),
    school_id BIGINT NOT NULL REFERENCES schools (id),
    participants INTEGER NOT NULL CHECK (participants BETWEEN 1 AND 10000),
    -- Participants' names, one per line, only where the district allows it.
    names TEXT NOT NULL DEFAULT '',
    attended INTEGER CHECK (attended BETWEEN 0 AND 10000),
    registered_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (session_id, school_id)
);
CREATE INDEX session_registrations_school ON session_registrations (school_id);

-- An item sent to an offering, and to one of its sessions once chosen.
CREATE TABLE action_item_learning (
    item_id BIGINT NOT NULL REFERENCES action_items (id) ON DELETE CASCADE,
    offering_id BIGINT NOT NULL REFERENCES offerings (id),
    session_id BIGINT REFERENCES learning_sessions (id),
    linked_by BIGINT REFERENCES users (id),
    linked_at TIMESTAMP NOT NULL,
    PRIMARY KEY (item_id, offering_id)
);
CREATE INDEX action_item_learning_session ON action_item_learning (session_id);
CREATE INDEX action_item_learning_offering ON action_item_learning (offering_id);
