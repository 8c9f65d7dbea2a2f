ALTER TABLE district_settings DROP COLUMN time_zone;
DROP TABLE mail_opt_outs;
ALTER TABLE district_settings DROP COLUMN due_soon_days;
DROP TABLE outbox_messages;
