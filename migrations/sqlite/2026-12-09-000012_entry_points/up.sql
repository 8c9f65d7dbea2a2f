-- A look-for's "entry point": the teacher-facing wording of what a teacher
-- would try first, kept beside the observer's description.
ALTER TABLE indicators ADD COLUMN entry_point TEXT;
