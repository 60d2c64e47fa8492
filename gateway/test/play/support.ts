import type { InviteRequest, SipTransport } from '@tessera/contracts';
import type { Gateway } from '../../src/gateway';

export const DEVICE = '34020000001320000001';
export const CHANNEL = '34020000001310000001';

/**
 * Puts a device into presence as if it had registered from 127.0.0.1:`port`. The play tests start at the INVITE:
 * a real REGISTER would also start the catalog/device-info/subscribe interrogation, whose MESSAGEs would race the
 * INVITE into a UAS scenario that can only take requests in the order it was written.
 */
export async function deviceAt(
  gateway: Gateway,
  port: number,
  transport: SipTransport = 'udp',
): Promise<void> {
  await gateway.presence.registered({
    deviceId: DEVICE,
    remote: { transport, address: '127.0.0.1', port, connectionId: null },
    expiresSec: 3600,
    gbVersion: '2016',
    userAgent: 'SIPp',
    charset: null,
    keepaliveIntervalSec: 60,
    keepaliveCount: 3,
  });
}

export function playRequest(overrides: Partial<InviteRequest> = {}): InviteRequest {
  return {
    sessionId: 'session-1',
    deviceId: DEVICE,
    channelId: CHANNEL,
    sessionName: 'Play',
    mediaHost: '127.0.0.1',
    mediaPort: 30000,
    transport: 'udp',
    ssrc: '0100008888',
    startTime: null,
    endTime: null,
    ...overrides,
  };
}
