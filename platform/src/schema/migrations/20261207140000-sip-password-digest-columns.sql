-- SIP passwords at rest. A device's password becomes HA1 = MD5(device_id:realm:password) (RFC 2617 §3.2.2.2)
-- with the realm it was computed for: the gateway verifies a device's digest from it, and an HA1 for another realm
-- (the SIP ID changed) verifies nothing until the password is set again. An upper platform's password, which we
-- send as a client to a realm that only its challenge names, is encrypted (AES-256-GCM, platform/src/secrets/
-- secret-box.ts) under TESSERA_SECRETS_KEY. The start-up migration (platform/src/secrets/sip-password-migration.ts)
-- fills these columns from the clear ones before 20261207140100 drops them, in the same transaction.
ALTER TABLE device ADD COLUMN password_ha1 text;
ALTER TABLE device ADD COLUMN password_realm text;
ALTER TABLE device ADD CONSTRAINT device_password_ha1_check CHECK (password_ha1 ~ '^[0-9a-f]{32}$');
ALTER TABLE device ADD CONSTRAINT device_password_realm_check CHECK ((password_ha1 IS NULL) = (password_realm IS NULL));
-- TODO(gb28181-2022): an SM3 HA1 column (GB/T 28181-2022 §9.1) once the gateway verifies SM3 digests.

ALTER TABLE upper_platform ADD COLUMN password_sealed text;
ALTER TABLE upper_platform ADD CONSTRAINT upper_platform_password_sealed_check
  CHECK (password_sealed ~ '^v1\.[0-9a-f]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$');
