DROP INDEX frameworks_name_label;
ALTER TABLE frameworks DROP COLUMN label;
