-- The clear SIP passwords, converted by the start-up migration just before this file runs (same transaction).
-- Whoever runs the migrations without it (not createPlatform) is stopped here rather than lose the passwords.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM device WHERE password IS NOT NULL AND password_ha1 IS NULL)
    OR EXISTS (SELECT 1 FROM upper_platform WHERE password <> '' AND password_sealed IS NULL) THEN
    RAISE EXCEPTION 'clear SIP passwords are not converted: run the migrations through createPlatform (platform/src/secrets/sip-password-migration.ts)';
  END IF;
END $$;
ALTER TABLE device DROP COLUMN password;
ALTER TABLE upper_platform DROP COLUMN password;
