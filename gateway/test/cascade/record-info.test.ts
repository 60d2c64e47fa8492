import type { SharedEntry } from '@tessera/contracts';
import { describeSippFailure, waitFor } from '@tessera/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import {
  decodeManscdp,
  encodeManscdp,
  encodeRecordInfoResponses,
  type RecordInfoQuery,
  type RecordInfoResponse,
} from '@tessera/gb28181';
import { RequestBuilder } from '@tessera/sip';
import { DEVICE, deviceAt } from '../play/support';
import { ownDevice, RECORD_SEARCH_DAY, sippRecordInfoDevice } from '../interop/support';
import { type CascadeHarness, sharedCamera, startCascadeGateway } from './gateway-support';
import { FakeUpper, LOCAL_ID, UPPER_DOMAIN, UPPER_ID, upperConfig } from './support';

const LOCAL_CHANNEL = '34020000001310000001';
/** The channel as the upper sees it (remapped by the platform's sharing rules). */
const REMOTE_CHANNEL = '44010000001310000009';

describe('cascade, lower side: RecordInfo from an upper searched on the device that owns the channel', () => {
  let h: CascadeHarness | undefined;
  const closers: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    await h?.close();
    h = undefined;
    for (const close of closers.splice(0)) await close();
  });

  async function setup(
    entries: SharedEntry[] = [
      sharedCamera(
        REMOTE_CHANNEL,
        { deviceId: DEVICE, channelId: LOCAL_CHANNEL },
        { name: '芙蓉路口（省平台名）' },
      ),
    ],
    recordInfoTimeoutMs?: number,
  ) {
    const upper = await FakeUpper.start();
    closers.push(() => upper.close());
    h = await startCascadeGateway(
      [upperConfig(upper.port, { localId: LOCAL_ID })],
      new Map([['upper-1', entries]]),
      recordInfoTimeoutMs === undefined ? {} : { TESSERA_CATALOG_TIMEOUT_MS: String(recordInfoTimeoutMs) },
    );
    const { gateway } = h;
    const link = await waitFor(() => gateway.cascade.links.get('upper-1'), { what: 'link' });
    await waitFor(() => link.state === 'registered', { what: 'registered' });
    const leg = new RequestBuilder({
      from: `sip:${UPPER_ID}@${UPPER_DOMAIN}`,
      to: `sip:${LOCAL_ID}@${UPPER_DOMAIN}`,
      contact: `sip:${UPPER_ID}@127.0.0.1:${upper.port}`,
    });
    const ask = (sn: number, deviceId: string) => {
      const query: RecordInfoQuery = {
        kind: 'record-info-query',
        sn,
        deviceId,
        ...RECORD_SEARCH_DAY,
      };
      return upper.endpoint.request(
        leg.build('MESSAGE', {
          uri: `sip:${LOCAL_ID}@127.0.0.1:${gateway.port}`,
          contentType: 'Application/MANSCDP+xml',
          body: encodeManscdp(query),
        }),
        { transport: 'udp', address: '127.0.0.1', port: gateway.port },
      );
    };
    /** The RecordInfo Response MESSAGEs the upper received with this SN, decoded. */
    const answers = (sn: number): RecordInfoResponse[] =>
      upper
        .requests('MESSAGE')
        .map((r) => decodeManscdp(r.body).message)
        .filter((m): m is RecordInfoResponse => m.kind === 'record-info-response' && m.sn === sn);
    return { gateway, upper, ask, answers };
  }

  it('SIPp device answers 3 recordings in 2 MESSAGEs; the upper gets them under its channel ID and SN, SumNum 3', async () => {
    const { gateway, upper, ask, answers } = await setup();
    const { run: device } = await sippRecordInfoDevice(gateway);
    expect((await ask(51, REMOTE_CHANNEL)).status).toBe(200);
    // The device checks the conditions arrived (StartTime, EndTime, Type) and that DeviceID is the local channel:
    // its answer is keyed by the DeviceID it was asked, so a wrong one would never complete.
    const run = await device;
    expect(run.exitCode, describeSippFailure(run)).toBe(0);
    const received = await waitFor(
      () => {
        const all = answers(51);
        return all.reduce((n, m) => n + m.items.length, 0) === 3 ? all : undefined;
      },
      { what: 'the recordings at the upper' },
    );
    for (const body of upper.requests('MESSAGE').filter((r) => r.body.includes('RecordInfo'))) {
      expect(body.body.length).toBeLessThanOrEqual(1300);
      expect(body.body.toString('latin1')).toMatch(/encoding="GB2312"/);
    }
    expect(received.every((m) => m.deviceId === REMOTE_CHANNEL && m.sumNum === 3)).toBe(true);
    // The upper's name for the channel, not the device's.
    expect(received[0]?.name).toBe('芙蓉路口（省平台名）');
    const items = received.flatMap((m) => m.items);
    expect(items.map((i) => [i.deviceId, i.startTime, i.type])).toEqual([
      [REMOTE_CHANNEL, '2025-03-01T08:00:00', 'time'],
      [REMOTE_CHANNEL, '2025-03-01T09:00:00', 'time'],
      [REMOTE_CHANNEL, '2025-03-01T10:15:00', 'alarm'],
    ]);
    expect(items[0]).toMatchObject({
      name: '文艺路口球机',
      filePath: '/mnt/hdd1/20250301/080000.mp4',
      address: '文艺路',
      secrecy: 0,
      fileSize: 536870912,
      // RecorderID = our channel → the upper's ID; the NVR's own ID means nothing above, so it is left out.
      recorderId: REMOTE_CHANNEL,
    });
    expect(items[1]?.recorderId).toBeNull();
  });

  it('device offline, device silent, channel not shared: SumNum 0 under the asked ID and SN', async () => {
    const { gateway, ask, answers } = await setup(undefined, 300);
    const empty = (sn: number) => ({ sn, deviceId: REMOTE_CHANNEL, sumNum: 0, items: [] });

    // Not registered: nothing to ask.
    expect((await ask(61, REMOTE_CHANNEL)).status).toBe(200);
    expect(await waitFor(() => answers(61)[0], { what: 'answer when offline' })).toMatchObject(empty(61));

    // Registered but silent after its 200.
    const silent = await FakeUpper.start();
    closers.push(() => silent.close());
    await deviceAt(gateway, silent.port);
    expect((await ask(62, REMOTE_CHANNEL)).status).toBe(200);
    expect(await waitFor(() => answers(62)[0], { what: 'answer after timeout' })).toMatchObject(empty(62));
    expect(silent.requests('MESSAGE')).toHaveLength(1);

    const unknown = '44010000001310000077';
    expect((await ask(63, unknown)).status).toBe(200);
    expect(await waitFor(() => answers(63)[0], { what: 'answer for unknown' })).toMatchObject({
      ...empty(63),
      deviceId: unknown,
    });
    expect(answers(61)).toHaveLength(1);
    expect(answers(62)).toHaveLength(1);
  });

  it('more recordings than one UDP body holds: several Response MESSAGEs ≤ 1300 bytes, each SumNum = all', async () => {
    const { gateway, upper, ask, answers } = await setup();
    const { device, send } = await ownDevice(gateway, LOCAL_ID);
    closers.push(() => device.close());
    const hours = Array.from({ length: 12 }, (_, h) => String(h).padStart(2, '0'));
    device.answer = (request, context) => {
      context.respond(200, 'OK');
      const query = decodeManscdp(request.body).message;
      if (query.kind !== 'record-info-query') return;
      // The device's own answer uses TCP-sized packets: what reaches the upper is re-split to the link's budget.
      for (const body of encodeRecordInfoResponses({
        sn: query.sn,
        deviceId: query.deviceId,
        maxBytes: 64_000,
        items: hours.map((hh) => ({
          deviceId: query.deviceId,
          name: '文艺路口球机',
          filePath: `/mnt/hdd1/20250301/${hh}0000.mp4`,
          address: '长沙市芙蓉区文艺路1号',
          startTime: `2025-03-01T${hh}:00:00`,
          endTime: `2025-03-01T${hh}:59:59`,
          secrecy: 0,
          type: 'time',
          recorderId: null,
          fileSize: 536870912,
        })),
      })) {
        void send(body);
      }
    };
    expect((await ask(71, REMOTE_CHANNEL)).status).toBe(200);
    const received = await waitFor(
      () => {
        const all = answers(71);
        return all.reduce((n, m) => n + m.items.length, 0) === 12 ? all : undefined;
      },
      { what: 'all recordings at the upper' },
    );
    expect(received.length).toBeGreaterThan(1);
    expect(received.every((m) => m.sumNum === 12 && m.deviceId === REMOTE_CHANNEL)).toBe(true);
    const bodies = upper.requests('MESSAGE').filter((r) => r.body.includes('RecordInfo'));
    expect(bodies).toHaveLength(received.length);
    for (const r of bodies) expect(r.body.length).toBeLessThanOrEqual(1300);
    expect(received.flatMap((m) => m.items).map((i) => i.startTime.slice(11, 13))).toEqual(hours);
  });
});
