ALTER TABLE indicators DROP COLUMN entry_point;
