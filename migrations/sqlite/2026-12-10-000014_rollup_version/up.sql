-- Counts the rewrites of each visit's roll-up, so that a figure computed
-- from the roll-ups (the learning impact) knows when to compute again.
ALTER TABLE visits ADD COLUMN rollup_version BIGINT NOT NULL DEFAULT 0;
