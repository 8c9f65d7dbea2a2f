-- Look-for frameworks (versioned; frozen once an observation uses one) and
-- the visits that use them.
CREATE TABLE frameworks (
    id INTEGER PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    version INTEGER NOT NULL CHECK (version > 0),
    frozen_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (name, version)
);

CREATE TABLE framework_domains (
    id INTEGER PRIMARY KEY NOT NULL,
    framework_id BIGINT NOT NULL REFERENCES frameworks (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL
);
CREATE INDEX framework_domains_framework ON framework_domains (framework_id, position);

CREATE TABLE indicators (
    id INTEGER PRIMARY KEY NOT NULL,
    framework_id BIGINT NOT NULL REFERENCES frameworks (id) ON DELETE CASCADE,
    domain_id BIGINT NOT NULL REFERENCES framework_domains (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT,
    department_id BIGINT REFERENCES departments (id),
    UNIQUE (framework_id, code)
);
CREATE INDEX indicators_domain ON indicators (domain_id, position);
CREATE INDEX indicators_department ON indicators (department_id);

CREATE TABLE visits (
    id INTEGER PRIMARY KEY NOT NULL,
    school_id BIGINT NOT NULL REFERENCES schools (id),
    visit_date DATE NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('planned', 'in_progress', 'debriefed', 'published', 'closed')),
    lead_id BIGINT REFERENCES users (id),
    framework_id BIGINT REFERENCES frameworks (id),
    focus TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX visits_school_date ON visits (school_id, visit_date);
CREATE INDEX visits_date ON visits (visit_date);

CREATE TABLE visit_members (
    visit_id BIGINT NOT NULL REFERENCES visits (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (visit_id, user_id)
);
CREATE INDEX visit_members_user ON visit_members (user_id);

CREATE TABLE visit_segments (
    visit_id BIGINT NOT NULL REFERENCES visits (id) ON DELETE CASCADE,
    segment TEXT NOT NULL CHECK (segment IN ('campus_tour', 'classroom_observations', 'staff_collaboration', 'instructional_planning', 'debrief')),
    PRIMARY KEY (visit_id, segment)
);
