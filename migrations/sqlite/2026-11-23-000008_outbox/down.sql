ALTER TABLE district_settings DROP COLUMN due_soon_days;
DROP TABLE outbox_messages;
