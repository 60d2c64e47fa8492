-- The clear SIP passwords, converted by the start-up migration just before this file runs (same transaction).
ALTER TABLE device DROP COLUMN password;
ALTER TABLE upper_platform DROP COLUMN password;
