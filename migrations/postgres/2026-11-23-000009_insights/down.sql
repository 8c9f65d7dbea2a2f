DROP INDEX action_item_checks_visit;
DROP INDEX action_items_department_school;
DROP INDEX action_items_department_pace;
ALTER TABLE action_items DROP COLUMN days_to_done;
ALTER TABLE action_items DROP COLUMN done_at;
DROP TABLE visit_look_for_rollups;
ALTER TABLE schools DROP COLUMN program;
