-- GB/T 28181-2022 §9.1 lets a device authenticate with an SM3 digest: HA1 = SM3(device_id:realm:password)
-- (RFC 7616 §3.4), kept beside the MD5 HA1 for the same realm (platform/src/secrets/device-digest.ts). Existing rows
-- keep NULL: the clear passwords were dropped by 20261207140100, so an SM3 HA1 cannot be derived. Such a device
-- still registers with MD5 (TESSERA_SIP_DIGEST=md5 or both); for SM3 its password must be set again.
ALTER TABLE device ADD COLUMN password_ha1_sm3 text;
ALTER TABLE device ADD CONSTRAINT device_password_ha1_sm3_check
  CHECK (password_ha1_sm3 IS NULL OR (password_ha1_sm3 ~ '^[0-9a-f]{64}$' AND password_ha1 IS NOT NULL));
