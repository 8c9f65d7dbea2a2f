ALTER TABLE visits DROP COLUMN rollup_version;
