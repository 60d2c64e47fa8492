import { describeSippFailure } from '@tessera/testkit';
import { TimeoutError } from '@tessera/kit';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeManscdp, tryDecodeManscdp } from '@tessera/gb28181';
import { DEVICE } from '../play/support';
import {
  type GatewayHarness,
  ownDevice,
  PLATFORM_ID,
  RECORD_SEARCH_DAY,
  sippRecordInfoDevice,
  startGateway,
} from './support';

const CHANNEL = '34020000001310000001';

async function metric(g: GatewayHarness, labels: string): Promise<number> {
  const text = await g.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`tessera_gateway_device_queries_total{${labels}} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

describe('DeviceQueries.recordInfo against a device', () => {
  let g: GatewayHarness | undefined;
  const closers: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    await g?.close();
    g = undefined;
    for (const close of closers.splice(0)) await close();
  });

  it('SIPp device: RecordInfo Query with the conditions → 3 recordings in 2 MESSAGEs (one repeated) → the 3 items', async () => {
    g = await startGateway();
    const { gateway } = g;
    const { run: device } = await sippRecordInfoDevice(gateway);
    // SIPp may still be starting: the MESSAGE's UDP retransmissions reach it once it listens. A SIPp that fails
    // fails the test at once instead of leaving the query to time out.
    const failed = device.then((run) =>
      run.exitCode === 0 ? new Promise<never>(() => {}) : Promise.reject(new Error(describeSippFailure(run))),
    );
    const found = await Promise.race([
      gateway.queries.recordInfo(DEVICE, CHANNEL, RECORD_SEARCH_DAY),
      failed,
    ]);
    const run = await device;
    expect(run.exitCode, describeSippFailure(run)).toBe(0);

    expect(found).toMatchObject({ sumNum: 3, complete: true });
    expect(found.items).toHaveLength(3);
    expect(found.items.map((item) => [item.startTime, item.endTime, item.type])).toEqual([
      ['2025-03-01T08:00:00', '2025-03-01T08:59:59', 'time'],
      ['2025-03-01T09:00:00', '2025-03-01T09:59:59', 'time'],
      ['2025-03-01T10:15:00', '2025-03-01T10:20:00', 'alarm'],
    ]);
    expect(found.items[0]).toEqual({
      deviceId: CHANNEL,
      name: '文艺路口球机',
      filePath: '/mnt/hdd1/20250301/080000.mp4',
      address: '文艺路',
      startTime: '2025-03-01T08:00:00',
      endTime: '2025-03-01T08:59:59',
      // Sent as "<Secrecy> 0 </Secrecy>" (wvp's spacing): trimmed.
      secrecy: 0,
      type: 'time',
      recorderId: CHANNEL,
      fileSize: 536870912,
    });
    expect(await metric(g, 'query="record-info",result="complete"')).toBe(1);
  });

  it('a device that sends one packet of three gives the partial result; one that sends nothing is a TimeoutError', async () => {
    g = await startGateway({ TESSERA_CATALOG_TIMEOUT_MS: '300' });
    const { gateway } = g;
    const { device, send } = await ownDevice(gateway, PLATFORM_ID);
    closers.push(() => device.close());
    device.answer = (request, context) => {
      context.respond(200, 'OK');
      const query = tryDecodeManscdp(request.body);
      if (!query.ok || query.message.kind !== 'record-info-query') return;
      const { sn, deviceId, startTime } = query.message;
      // Silent for the second search (its StartTime says which one it is).
      if (startTime !== RECORD_SEARCH_DAY.startTime) return;
      void send(
        encodeManscdp({
          kind: 'record-info-response',
          sn,
          deviceId,
          name: null,
          sumNum: 3,
          listNum: 1,
          invalidItems: 0,
          items: [
            {
              deviceId,
              name: null,
              filePath: null,
              address: null,
              startTime: '2025-03-01T08:00:00',
              endTime: '2025-03-01T08:59:59',
              secrecy: 0,
              type: 'time',
              recorderId: null,
              fileSize: null,
            },
          ],
        }),
      );
    };
    const partial = await gateway.queries.recordInfo(DEVICE, CHANNEL, RECORD_SEARCH_DAY);
    expect(partial).toMatchObject({ sumNum: 3, complete: false });
    expect(partial.items).toHaveLength(1);
    await expect(
      gateway.queries.recordInfo(DEVICE, CHANNEL, { ...RECORD_SEARCH_DAY, startTime: '2025-03-02T00:00:00' }),
    ).rejects.toBeInstanceOf(TimeoutError);
    expect(await metric(g, 'query="record-info",result="partial"')).toBe(1);
    expect(await metric(g, 'query="record-info",result="timeout"')).toBe(1);
  });
});
