-- 'restart-reconcile': the platform itself marked a device offline that was stored online with no sign of life
-- for longer than its keepalive window (it died while the platform or the gateway was down); see
-- services/presence-reconciler.ts.
ALTER TABLE device DROP CONSTRAINT device_offline_reason_check;
ALTER TABLE device ADD CONSTRAINT device_offline_reason_check CHECK (
  offline_reason IN (
    'keepalive-timeout', 'registration-expired', 'unregistered', 'connection-closed', 'restart-reconcile'
  )
);
