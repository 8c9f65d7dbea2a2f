DROP INDEX action_item_checks_visit;
ALTER TABLE action_items DROP COLUMN done_at;
DROP TABLE visit_look_for_rollups;
ALTER TABLE schools DROP COLUMN program;
