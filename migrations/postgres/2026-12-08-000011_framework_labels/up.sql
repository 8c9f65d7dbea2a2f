-- A framework's version is the label a district gives it ("2026.1",
-- "2026-27", "3"); the integer column stays as the order of the versions of
-- one name (newest highest). Existing versions keep their number as label.
ALTER TABLE frameworks ADD COLUMN label TEXT;
UPDATE frameworks SET label = CAST(version AS TEXT);
ALTER TABLE frameworks ALTER COLUMN label SET NOT NULL;
CREATE UNIQUE INDEX frameworks_name_label ON frameworks (name, label);
