-- The debrief of a visit, and the problems of practice it names, each
-- tagged with the departments it concerns.
CREATE TABLE debriefs (
    visit_id BIGINT PRIMARY KEY NOT NULL REFERENCES visits (id),
    strengths TEXT NOT NULL DEFAULT '',
    alignment_notes TEXT NOT NULL DEFAULT '',
    attendees TEXT NOT NULL DEFAULT '',
    updated_by BIGINT REFERENCES users (id),
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE problems_of_practice (
    id INTEGER PRIMARY KEY NOT NULL,
    visit_id BIGINT NOT NULL REFERENCES visits (id),
    position INTEGER NOT NULL,
    description TEXT NOT NULL
);
CREATE INDEX problems_of_practice_visit ON problems_of_practice (visit_id, position);

CREATE TABLE problem_departments (
    problem_id BIGINT NOT NULL REFERENCES problems_of_practice (id) ON DELETE CASCADE,
    department_id BIGINT NOT NULL REFERENCES departments (id),
    PRIMARY KEY (problem_id, department_id)
);
