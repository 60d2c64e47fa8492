import type { Registry } from 'prom-client';
import { waitFor } from '@tessera/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeManscdp } from '@tessera/gb28181';
import { RequestBuilder, type SipResponse } from '@tessera/sip';
import { playRequest } from '../play/support';
import { FakeUpper } from '../cascade/support';
import { DOMAIN, type GatewayHarness, PLATFORM_ID, startGateway } from '../interop/support';
import { fromRegisteredDevice } from '../../src/device/device-source';
import { deviceBye, registerDevice } from './support';
import { catalogItem } from '../../../packages/gb28181/test/manscdp/fixtures/sample-messages';

const DEVICE = '34020000001320000001';
const UNREGISTERED = '34020000001320000077';
const PLANTED = '34020000001310000666';
const PASSWORD = 'Tessera-device-7Qm';

/**
 * Who may speak for a registered device: only the address its authenticated REGISTER came from. The device and the
 * attacker are real UDP sockets driven by the gateway's own SIP stack; the gateway is real.
 */
describe('a registered device speaks only from where it registered', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  async function setup() {
    const h = await startGateway({
      TESSERA_SIP_PASSWORD: PASSWORD,
      TESSERA_INTERROGATE_ON_REGISTER: 'false',
    });
    closers.push(h.close);
    const device = await FakeUpper.start();
    closers.push(() => device.close());
    const attacker = await FakeUpper.start();
    closers.push(() => attacker.close());
    await registerDevice(h, device, DEVICE, PASSWORD);
    return { h, device, attacker };
  }

  it('a keepalive from another address does not move the device', async () => {
    const { h, device, attacker } = await setup();
    const answer = await send(h, attacker, 'MESSAGE', DEVICE, keepalive(DEVICE));
    expect(answer.status).toBe(403);
    expect(h.gateway.presence.get(DEVICE)?.remote).toMatchObject({ address: '127.0.0.1', port: device.port });
    // The platform still reaches the real device: its query goes to the registered port, not the attacker's.
    const query = h.bus.request('gateway.device-info-query', { deviceId: DEVICE }, { timeoutMs: 5_000 });
    const asked = await waitFor(() => device.requests('MESSAGE').find((m) => m.body.includes('DeviceInfo')), {
      what: 'query at the device',
    });
    expect(attacker.requests('MESSAGE')).toHaveLength(0);
    const sn = Number(/<SN>(\d+)<\/SN>/.exec(asked.body.toString('latin1'))?.[1]);
    await send(h, device, 'MESSAGE', DEVICE, deviceInfo(DEVICE, sn));
    expect(await query).toMatchObject({ manufacturer: 'Tessera' });
    expect((await send(h, device, 'MESSAGE', DEVICE, keepalive(DEVICE))).status).toBe(200);
  });

  it('a MESSAGE from another address is answered 403 and counted', async () => {
    const { h, attacker } = await setup();
    const before = await mismatches(h.registry, 'MESSAGE');
    const alarm = Buffer.from(
      `<?xml version="1.0" encoding="GB2312"?>\r\n<Notify>\r\n<CmdType>Alarm</CmdType>\r\n<SN>5</SN>\r\n` +
        `<DeviceID>${DEVICE}</DeviceID>\r\n<AlarmPriority>1</AlarmPriority>\r\n<AlarmMethod>2</AlarmMethod>\r\n` +
        `<AlarmTime>2026-12-07T10:00:00</AlarmTime>\r\n</Notify>\r\n`,
    );
    for (const body of [alarm, deviceInfo(DEVICE, 9), keepalive(DEVICE)]) {
      const answer = await send(h, attacker, 'MESSAGE', DEVICE, body);
      expect([answer.status, answer.reason]).toEqual([403, 'Forbidden']);
    }
    expect((await mismatches(h.registry, 'MESSAGE')) - before).toBe(3);
    expect(h.events('device.info')).toHaveLength(0);
  });

  it('a catalog notify from another address adds no channel', async () => {
    const { h, device, attacker } = await setup();
    const planted = catalogNotify(DEVICE, PLANTED, '110101');
    expect((await send(h, attacker, 'NOTIFY', DEVICE, planted)).status).toBe(403);
    const response = encodeManscdp({
      kind: 'catalog-response',
      sn: 3,
      deviceId: DEVICE,
      sumNum: 1,
      listNum: 1,
      items: [catalogItem({ id: PLANTED, civilCode: '110101' })],
      invalidItems: 0,
      result: null,
    });
    expect((await send(h, attacker, 'MESSAGE', DEVICE, response)).status).toBe(403);
    expect(await mismatches(h.registry, 'NOTIFY')).toBe(1);
    // The device's own notify goes through: the first change the platform hears is the real one.
    const real = '34020000001310000002';
    expect((await send(h, device, 'NOTIFY', DEVICE, catalogNotify(DEVICE, real, '340200'))).status).toBe(200);
    await waitFor(() => h.events('catalog.changed').length > 0, { what: 'the device catalog notify' });
    expect(h.events('catalog.changed').flatMap((e) => e.changes.map((c) => c.id))).toEqual([real]);
    expect(h.events('catalog.received')).toHaveLength(0);
  });

  it("a registered device cannot file a catalog under another device's ID", async () => {
    const { h, device } = await setup();
    const foreign = encodeManscdp({
      kind: 'catalog-response',
      sn: 4,
      deviceId: UNREGISTERED,
      sumNum: 1,
      listNum: 1,
      items: [catalogItem({ id: PLANTED })],
      invalidItems: 0,
      result: null,
    });
    expect((await send(h, device, 'MESSAGE', DEVICE, foreign)).status).toBe(403);
    expect(h.events('catalog.received')).toHaveLength(0);
  });

  it('a BYE from another address does not end the call', async () => {
    const { h, device, attacker } = await setup();
    let ok: SipResponse | undefined;
    device.answer = (request, context) => {
      const response = context.respond(200, 'OK');
      if (request.method === 'INVITE') ok = response ?? undefined;
    };
    const result = await h.gateway.calls.invite(playRequest());
    expect(result.ok).toBe(true);
    const invite = device.requests('INVITE')[0]!;
    const bye = deviceBye(invite, ok!, h.gateway.port);
    const gateway = { transport: 'udp' as const, address: '127.0.0.1', port: h.gateway.port };
    expect((await attacker.endpoint.request(bye, gateway)).status).toBe(403);
    expect(h.gateway.calls.size).toBe(1);
    expect(await mismatches(h.registry, 'BYE')).toBe(1);
    expect((await device.endpoint.request(deviceBye(invite, ok!, h.gateway.port), gateway)).status).toBe(200);
    expect(h.gateway.calls.size).toBe(0);
  });

  it('keepalive answers do not reveal registered IDs', async () => {
    const { h, attacker } = await setup();
    const registered = await send(h, attacker, 'MESSAGE', DEVICE, keepalive(DEVICE));
    const unknown = await send(h, attacker, 'MESSAGE', UNREGISTERED, keepalive(UNREGISTERED));
    expect(shape(registered)).toEqual(shape(unknown));
    expect(registered.status).toBe(403);
    // Other MESSAGEs too: same answer whether or not the ID is registered.
    const info = await send(h, attacker, 'MESSAGE', DEVICE, deviceInfo(DEVICE, 1));
    const infoUnknown = await send(h, attacker, 'MESSAGE', UNREGISTERED, deviceInfo(UNREGISTERED, 1));
    expect(shape(info)).toEqual(shape(infoUnknown));
  });
});

function send(
  h: GatewayHarness,
  from: FakeUpper,
  method: 'MESSAGE' | 'NOTIFY',
  fromId: string,
  body: Buffer,
): Promise<SipResponse> {
  const request = new RequestBuilder({
    from: `sip:${fromId}@${DOMAIN}`,
    to: `sip:${PLATFORM_ID}@${DOMAIN}`,
  }).build(method, {
    uri: `sip:${PLATFORM_ID}@${DOMAIN}`,
    contentType: 'Application/MANSCDP+xml',
    headers: method === 'NOTIFY' ? [['Event', 'Catalog']] : [],
    body,
  });
  return from.endpoint.request(request, { transport: 'udp', address: '127.0.0.1', port: h.gateway.port });
}

function keepalive(deviceId: string): Buffer {
  return encodeManscdp({ kind: 'keepalive', sn: 1, deviceId, status: 'OK', faultyDeviceIds: [] });
}

function deviceInfo(deviceId: string, sn: number): Buffer {
  return Buffer.from(
    `<?xml version="1.0" encoding="GB2312"?>\r\n<Response>\r\n<CmdType>DeviceInfo</CmdType>\r\n<SN>${sn}</SN>\r\n` +
      `<DeviceID>${deviceId}</DeviceID>\r\n<Result>OK</Result>\r\n<Manufacturer>Tessera</Manufacturer>\r\n` +
      `<Model>IPC</Model>\r\n<Firmware>1.0</Firmware>\r\n<Channel>1</Channel>\r\n</Response>\r\n`,
  );
}

function catalogNotify(deviceId: string, channelId: string, civilCode: string): Buffer {
  return encodeManscdp({
    kind: 'catalog-notify',
    sn: 7,
    deviceId,
    sumNum: 1,
    changes: [{ id: channelId, event: 'ADD', item: catalogItem({ id: channelId, civilCode }) }],
    invalidItems: 0,
  });
}

/** What a prober can compare: status, reason and the header names (not the per-request Via, tags, Call-ID). */
function shape(response: SipResponse): unknown {
  return {
    status: response.status,
    reason: response.reason,
    headers: Array.from({ length: response.headers.size }, (_, i) =>
      response.headers.nameAt(i).toLowerCase(),
    ).sort(),
    body: response.body.toString('latin1'),
  };
}

async function mismatches(registry: Registry, method: string): Promise<number> {
  const text = await registry.metrics();
  const line = text
    .split('\n')
    .find(
      (l) =>
        l.startsWith('tessera_gateway_source_mismatch_total{') &&
        l.includes(`method="${method}"`) &&
        l.includes('peer="device"'),
    );
  return line ? Number(line.split(' ').at(-1)) : 0;
}

/** The device's BYE inside the dialog of `invite` as it answered it with `ok` (From/To swapped, both tags). */

describe('fromRegisteredDevice: a shared record another gateway replica may own', () => {
  const udp = { transport: 'udp' as const, address: '10.0.0.7', port: 5060, connectionId: null };
  const tcp = { transport: 'tcp' as const, address: '10.0.0.7', port: 40000, connectionId: 'tcp-3' };

  it('over UDP the registered IP and port speak for the device at any replica (they share the address)', () => {
    const record = { remote: udp, node: 'gw-a' };
    expect(fromRegisteredDevice(record, { transport: 'udp', address: '10.0.0.7', port: 5060 }, 'gw-b')).toBe(
      true,
    );
    expect(fromRegisteredDevice(record, { transport: 'udp', address: '10.0.0.7', port: 5061 }, 'gw-b')).toBe(
      false,
    );
  });

  it("over TCP only at the replica holding the connection: another's connection id is not ours", () => {
    const source = { transport: 'tcp' as const, address: '10.0.0.7', port: 40000, connectionId: 'tcp-3' };
    expect(fromRegisteredDevice({ remote: tcp, node: 'gw-a' }, source, 'gw-a')).toBe(true);
    expect(fromRegisteredDevice({ remote: tcp, node: 'gw-a' }, source, 'gw-b')).toBe(false);
  });
});
