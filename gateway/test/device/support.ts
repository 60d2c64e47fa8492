import { expect } from 'vitest';
import { buildAuthorization, RequestBuilder } from '@tessera/sip';
import type { FakeUpper } from '../cascade/support';
import { DOMAIN, type GatewayHarness, PLATFORM_ID } from '../interop/support';

/** A real REGISTER with digest from the device's socket (401, then credentials). */
export async function registerDevice(
  h: GatewayHarness,
  device: FakeUpper,
  deviceId: string,
  password: string,
): Promise<void> {
  const leg = new RequestBuilder({
    from: `sip:${deviceId}@${DOMAIN}`,
    to: `sip:${deviceId}@${DOMAIN}`,
    contact: `sip:${deviceId}@127.0.0.1:${device.port}`,
  });
  const uri = `sip:${PLATFORM_ID}@${DOMAIN}`;
  const gateway = { transport: 'udp' as const, address: '127.0.0.1', port: h.gateway.port };
  const challenge = await device.endpoint.request(
    leg.build('REGISTER', { uri, headers: [['Expires', '3600']] }),
    gateway,
  );
  expect(challenge.status).toBe(401);
  const authorization = buildAuthorization(challenge.headers.get('WWW-Authenticate')!, {
    username: deviceId,
    password,
    method: 'REGISTER',
    uri,
  });
  const ok = await device.endpoint.request(
    leg.build('REGISTER', {
      uri,
      headers: [
        ['Expires', '3600'],
        ['Authorization', authorization],
      ],
    }),
    gateway,
  );
  expect(ok.status).toBe(200);
}
