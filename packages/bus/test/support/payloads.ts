import type { DeviceInfoResult, DeviceOnline, DevicePolicy } from '@tessera/contracts';

export function online(deviceId: string): DeviceOnline {
  return { deviceId, remoteAddress: '10.0.0.7:5060', transport: 'udp', at: '2025-01-01T00:00:00.000Z' };
}

export function policy(ha1: string | null = null): DevicePolicy {
  return {
    known: true,
    digest: ha1 === null ? null : { ha1, realm: '4301000000' },
    charset: 'gb18030',
    keepaliveIntervalSec: 60,
    keepaliveCount: 3,
    enabled: true,
  };
}

export function deviceInfo(deviceId: string): DeviceInfoResult {
  return {
    deviceId,
    name: `cam ${deviceId}`,
    manufacturer: 'Hikvision',
    model: null,
    firmware: null,
    channelCount: 1,
  };
}
