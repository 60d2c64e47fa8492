-- The local channel that answers an upper's INVITE for our own platform ID. Uppers such as SRS treat a lower
-- platform as one device and INVITE the platform's ID (Request-URI user = our local ID), which no channel carries;
-- null keeps answering such an INVITE 404.
ALTER TABLE upper_platform ADD COLUMN platform_channel_id text;
ALTER TABLE upper_platform
  ADD CONSTRAINT upper_platform_platform_channel_id_check CHECK (platform_channel_id ~ '^[0-9]{20}$');
