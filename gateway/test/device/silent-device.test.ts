import { createSocket, type Socket } from 'node:dgram';
import { MemoryBroker, MemoryBus, MemoryKeyValueStore } from '@tessera/bus';
import { createLogger, ManualClock, TimeoutError } from '@tessera/kit';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../../src/config';
import { Gateway } from '../../src/gateway';

const PLATFORM_ID = '34020000002000000001';
const DEVICE = '34020000001320000001';
const CHANNEL = '34020000001310000001';
const REPLY_TIMEOUT_MS = 10_000;
const T1_MS = 500;

/**
 * Issue "Hold the line", item 1: a device that registers and then goes silent took the whole process down ~42 s
 * later. DeviceInfo created its reply wait, then awaited the MESSAGE transaction (up to Timer F, 64·T1 = 32 s); the
 * 10 s reply timer rejected a promise nobody awaited yet → unhandled rejection → Node exits. Here the device is a
 * real UDP socket that receives our MESSAGEs and never answers; time is a manual clock.
 */
describe('a device that registers and then never answers', () => {
  let clock: ManualClock;
  let gateway: Gateway;
  let bus: MemoryBus;
  let device: Socket;
  let received: string[];
  const unhandled: unknown[] = [];
  const recordUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeEach(async () => {
    unhandled.length = 0;
    process.on('unhandledRejection', recordUnhandled);
    clock = new ManualClock(Date.UTC(2026, 0, 1));
    const broker = new MemoryBroker();
    const logger = createLogger('gateway-test', process.env.TESSERA_TEST_LOG ?? 'silent');
    bus = new MemoryBus({ broker, logger });
    gateway = await Gateway.start({
      config: loadGatewayConfig({
        TESSERA_SIP_ID: PLATFORM_ID,
        TESSERA_SIP_HOST: '127.0.0.1',
        TESSERA_SIP_PORT: '0',
        TESSERA_SIP_PASSWORD: 'a-strong-device-password-1',
        TESSERA_CATALOG_TIMEOUT_MS: String(REPLY_TIMEOUT_MS),
        TESSERA_SIP_T1_MS: String(T1_MS),
        TESSERA_INTERROGATE_ON_REGISTER: 'false',
      }),
      bus,
      store: new MemoryKeyValueStore({ broker }),
      logger,
      clock,
      metricsRegistry: new Registry(),
    });
    received = [];
    device = createSocket('udp4');
    device.on('message', (data) => received.push(data.toString('utf8')));
    await new Promise<void>((resolve) => device.bind(0, '127.0.0.1', resolve));
    await gateway.presence.registered({
      deviceId: DEVICE,
      remote: { transport: 'udp', address: '127.0.0.1', port: device.address().port, connectionId: null },
      expiresSec: 3600,
      gbVersion: '2016',
      userAgent: 'silent camera',
      charset: null,
      keepaliveIntervalSec: 600,
      keepaliveCount: 3,
    });
  });

  afterEach(async () => {
    await gateway.close();
    await bus.close();
    device.close();
    process.off('unhandledRejection', recordUnhandled);
  });

  /** Until the device's socket has received `count` MESSAGEs carrying `cmd`. */
  async function sent(cmd: string, count = 1): Promise<void> {
    await expect
      .poll(() => received.filter((m) => m.startsWith('MESSAGE ') && m.includes(`<CmdType>${cmd}`)).length)
      .toBeGreaterThanOrEqual(count);
  }

  /** Lets Node report any rejection left without a handler (it does so once the microtask queue is empty). */
  async function settleRejections(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  async function timeouts(query: string): Promise<number> {
    const text = await gateway.metricsRegistry.metrics();
    const line = text
      .split('\n')
      .find((l) => l.startsWith(`tessera_gateway_device_queries_total{query="${query}",result="timeout"} `));
    return line ? Number(line.split(' ')[1]) : 0;
  }

  it('DeviceInfo and DeviceStatus reject with TimeoutError at the reply timeout, not at Timer F, and nothing is left unhandled', async () => {
    const info = gateway.queries.deviceInfo(DEVICE);
    const status = gateway.queries.deviceStatus(DEVICE);
    const infoSettled = info.then(
      () => 'resolved',
      (error: unknown) => error,
    );
    const statusSettled = status.then(
      () => 'resolved',
      (error: unknown) => error,
    );
    await sent('DeviceInfo');
    await sent('DeviceStatus');

    clock.advance(REPLY_TIMEOUT_MS);
    await settleRejections();
    expect(unhandled).toEqual([]);
    // The transactions are still retransmitting (Timer F is 32 s away); the queries are over.
    const infoError = await infoSettled;
    const statusError = await statusSettled;
    expect(infoError).toBeInstanceOf(TimeoutError);
    expect((infoError as Error).message).toContain(`DeviceInfo from ${DEVICE}`);
    expect(statusError).toBeInstanceOf(TimeoutError);
    expect((statusError as Error).message).toContain(`DeviceStatus from ${DEVICE}`);
    expect(await timeouts('device-info')).toBe(1);
    expect(await timeouts('device-status')).toBe(1);

    // Past Timer F: the transactions fail too, with nobody left waiting on them.
    clock.advance(64 * T1_MS);
    await settleRejections();
    expect(unhandled).toEqual([]);
  });

  it('PTZ and a forwarded DeviceControl end with the transaction timeout, and their short result wait is not left unhandled', async () => {
    const ptz = gateway.queries.ptz(DEVICE, CHANNEL, { type: 'stop' }).then(
      () => 'resolved',
      (error: unknown) => error,
    );
    const control = gateway.queries
      .forwardControl(
        DEVICE,
        CHANNEL,
        {
          ptzCmd: 'A50F0100000000B5',
          controlPriority: null,
          guardCmd: null,
          recordCmd: null,
          alarmCmd: null,
          iFrameCmd: null,
        },
        1_500,
      )
      .then(
        () => 'resolved',
        (error: unknown) => error,
      );
    await sent('DeviceControl', 2);

    // The 1.5 s result waits run out while both transactions are still retransmitting.
    clock.advance(1_500);
    await settleRejections();
    expect(unhandled).toEqual([]);

    clock.advance(64 * T1_MS);
    await settleRejections();
    expect(await ptz).toBeInstanceOf(TimeoutError);
    expect(await control).toBeInstanceOf(TimeoutError);
    expect(unhandled).toEqual([]);
  });
});
