DROP TABLE action_item_checks;
DROP TABLE action_item_updates;
DROP TABLE action_item_indicators;
DROP TABLE action_items;
ALTER TABLE observations DROP COLUMN teacher;
DROP TABLE district_settings;
