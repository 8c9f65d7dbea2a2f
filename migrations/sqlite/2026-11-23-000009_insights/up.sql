-- What the district learns from its visits: each campus's program (a filter
-- of the overview), the evidence of each visit rolled up per look-for (kept
-- up to date in the transaction that writes an observation), and when an
-- item was first done and how many days after its visit.
ALTER TABLE schools ADD COLUMN program TEXT NOT NULL DEFAULT '';

CREATE TABLE visit_look_for_rollups (
    visit_id BIGINT NOT NULL REFERENCES visits (id),
    indicator_id BIGINT NOT NULL REFERENCES indicators (id),
    observed INTEGER NOT NULL,
    partly INTEGER NOT NULL,
    not_observed INTEGER NOT NULL,
    not_applicable INTEGER NOT NULL,
    PRIMARY KEY (visit_id, indicator_id)
);
CREATE INDEX visit_look_for_rollups_indicator ON visit_look_for_rollups (indicator_id);

INSERT INTO visit_look_for_rollups (visit_id, indicator_id, observed, partly, not_observed, not_applicable)
SELECT o.visit_id, t.indicator_id,
       SUM(CASE WHEN t.tick = 'observed' THEN 1 ELSE 0 END),
       SUM(CASE WHEN t.tick = 'partly' THEN 1 ELSE 0 END),
       SUM(CASE WHEN t.tick = 'not_observed' THEN 1 ELSE 0 END),
       SUM(CASE WHEN t.tick = 'not_applicable' THEN 1 ELSE 0 END)
FROM indicator_ticks t JOIN observations o ON o.id = t.observation_id
GROUP BY o.visit_id, t.indicator_id;

-- Each visit's evidence over every look-for (NULL: no snapshot yet), kept
-- with the roll-up: the overview's ordering and each campus's latest
-- visit with evidence read it without summing the roll-up.
ALTER TABLE visits ADD COLUMN evidence_observed INTEGER;
ALTER TABLE visits ADD COLUMN evidence_applicable INTEGER;
UPDATE visits SET
    evidence_observed = (SELECT SUM(r.observed) FROM visit_look_for_rollups r WHERE r.visit_id = visits.id),
    evidence_applicable = (SELECT SUM(r.observed + r.partly + r.not_observed) FROM visit_look_for_rollups r WHERE r.visit_id = visits.id);
CREATE INDEX visits_school_evidence ON visits (school_id, visit_date) WHERE evidence_applicable IS NOT NULL;

ALTER TABLE action_items ADD COLUMN done_at TIMESTAMP;
UPDATE action_items SET done_at = (
    SELECT MIN(u.at) FROM action_item_updates u
    WHERE u.item_id = action_items.id AND u.status IN ('done', 'verified')
);
-- Days from the visit that raised an item to its first done day: the
-- department page's median reads it from an index.
ALTER TABLE action_items ADD COLUMN days_to_done INTEGER;
UPDATE action_items SET days_to_done = MAX(0, CAST(julianday(done_at) - julianday((SELECT v.visit_date FROM visits v WHERE v.id = action_items.visit_id)) AS INTEGER))
WHERE done_at IS NOT NULL;
CREATE INDEX action_items_department_pace ON action_items (department_id, days_to_done);
CREATE INDEX action_items_department_school ON action_items (department_id, school_id, status, due_on);
CREATE INDEX action_item_checks_visit ON action_item_checks (visit_id);

-- How many items each department (0: the campuses' own steps) has in each
-- status, kept by triggers on every insert, update and delete, so the
-- overview does not count the whole district's items on every view.
CREATE TABLE item_tallies (
    department_key BIGINT NOT NULL,
    status TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (department_key, status)
);
INSERT INTO item_tallies (department_key, status, n)
SELECT COALESCE(department_id, 0), status, COUNT(*) FROM action_items
GROUP BY COALESCE(department_id, 0), status;
CREATE INDEX action_items_open_due ON action_items (status, due_on, department_id);
CREATE TRIGGER action_items_tally_insert AFTER INSERT ON action_items BEGIN
    INSERT INTO item_tallies (department_key, status, n)
    VALUES (COALESCE(NEW.department_id, 0), NEW.status, 1)
    ON CONFLICT (department_key, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER action_items_tally_delete AFTER DELETE ON action_items BEGIN
    UPDATE item_tallies SET n = n - 1
    WHERE department_key = COALESCE(OLD.department_id, 0) AND status = OLD.status;
END;
CREATE TRIGGER action_items_tally_update AFTER UPDATE OF status, department_id ON action_items
WHEN OLD.status IS NOT NEW.status OR OLD.department_id IS NOT NEW.department_id BEGIN
    UPDATE item_tallies SET n = n - 1
    WHERE department_key = COALESCE(OLD.department_id, 0) AND status = OLD.status;
    INSERT INTO item_tallies (department_key, status, n)
    VALUES (COALESCE(NEW.department_id, 0), NEW.status, 1)
    ON CONFLICT (department_key, status) DO UPDATE SET n = n + 1;
END;

-- Visits whose snapshots changed since their roll-up was last written: a
-- new snapshot only adds a row here (no two writers wait on each other);
-- the roll-up is brought up to date before a dashboard reads it.
CREATE TABLE rollup_queue (
    id INTEGER PRIMARY KEY NOT NULL,
    visit_id BIGINT NOT NULL REFERENCES visits (id) ON DELETE CASCADE
);
