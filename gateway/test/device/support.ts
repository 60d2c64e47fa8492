import { expect } from 'vitest';
import { buildAuthorization, RequestBuilder, type SipRequest, type SipResponse } from '@tessera/sip';
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

/** The device hanging up the call it answered with `ok` (the gateway's INVITE `invite`), as a device sends it. */
export function deviceBye(invite: SipRequest, ok: SipResponse, gatewayPort: number): SipRequest {
  const headers = ok.headers.clone();
  for (const name of ['Via', 'Content-Type', 'Contact', 'Content-Length']) headers.delete(name);
  headers.set('From', ok.headers.get('To')!);
  headers.set('To', invite.headers.get('From')!);
  headers.set('CSeq', '1 BYE');
  headers.set('Max-Forwards', '70');
  return {
    kind: 'request',
    method: 'BYE',
    uri: `sip:${PLATFORM_ID}@127.0.0.1:${gatewayPort}`,
    headers,
    body: Buffer.alloc(0),
  };
}
