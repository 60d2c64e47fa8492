import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import type { CallEnded } from '@tessera/contracts';
import { MemoryBroker, MemoryBus, RedisBus, RedisKeyValueStore } from '@tessera/bus';
import { createLogger } from '@tessera/kit';
import { Dialog, RequestBuilder, createResponse } from '@tessera/sip';
import { describeSippFailure, freePort, runSipp, waitFor } from '@tessera/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../../src/config';
import { KeyValueDialogRecords } from '../../src/dialog-records';
import { Gateway } from '../../src/gateway';
import { PASSWORD, PLATFORM_ID } from '../interop/support';
import { deviceAt, playRequest } from './support';

const REDIS_URL = process.env.TESSERA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const logger = createLogger('dialog-records-test', process.env.TESSERA_TEST_LOG ?? 'silent');
const scenarios = resolve(__dirname, '../fixtures/sipp');
const DEADLINE = { timeoutMs: 15_000 };

/** A Redis key/value store in a namespace of its own, emptied by `cleanUp`. */
function redisStore() {
  const namespace = `test-dialogs-${randomBytes(4).toString('hex')}`;
  return new RedisKeyValueStore({ url: REDIS_URL, namespace, logger });
}

/**
 * A gateway replica on its own port over the shared store; on its own bus, or on the Redis bus namespace given
 * (replicas sharing it see each other's events).
 */
async function replica(store: RedisKeyValueStore, busNamespace?: string) {
  const bus =
    busNamespace === undefined
      ? new MemoryBus({ broker: new MemoryBroker(), logger })
      : new RedisBus({ url: REDIS_URL, namespace: busNamespace, logger });
  await bus.handle('inventory.device-policy', async () => ({
    known: true,
    digest: null,
    charset: null,
    keepaliveIntervalSec: null,
    keepaliveCount: null,
    enabled: true,
  }));
  const config = {
    ...loadGatewayConfig({
      TESSERA_SIP_ID: PLATFORM_ID,
      TESSERA_SIP_HOST: '127.0.0.1',
      TESSERA_SIP_PORT: '0',
      TESSERA_SIP_PASSWORD: 'set-on-the-config-below',
    }),
    defaultPassword: PASSWORD,
  };
  const gateway = await Gateway.start({ config, bus, store, logger });
  const close = async () => {
    await gateway.close();
    await bus.close();
  };
  return { gateway, bus, close };
}

describe('dialog records in Redis', () => {
  const cleanUp: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanUp.splice(0).reverse()) await step();
  });

  it('KeyValueDialogRecords: a record saved is loaded by Call-ID, deleted, and a foreign value is an error', async () => {
    const store = redisStore();
    cleanUp.push(async () => {
      for (const key of await store.keys('')) await store.delete(key);
      await store.close();
    });
    const records = new KeyValueDialogRecords(store, PLATFORM_ID);
    const invite = new RequestBuilder({ from: 'sip:a@b', to: 'sip:c@d' }).build('INVITE', { uri: 'sip:c@d' });
    const dialog = Dialog.asUac({
      request: invite,
      response: createResponse(invite, 200, 'OK'),
      remote: { transport: 'udp', address: '127.0.0.1', port: 5070 },
      data: { kind: 'play', deviceId: 'd1' },
    });
    await records.save(dialog.toRecord());
    expect(await records.load(dialog.callId)).toEqual([dialog.toRecord()]);
    expect(await records.load(`${dialog.callId}x`)).toEqual([]);
    await records.delete(dialog);
    expect(await records.load(dialog.callId)).toEqual([]);
    await store.set(`${PLATFORM_ID}:dialog:${dialog.callId}:x:y`, JSON.stringify({ callId: dialog.callId }));
    await expect(records.load(dialog.callId)).rejects.toThrow();
  });

  it('gateway.bye at another replica ends the call from the dialog record: BYE in the dialog, record deleted', async () => {
    const store = redisStore();
    cleanUp.push(async () => {
      for (const key of await store.keys('')) await store.delete(key);
      await store.close();
    });
    const a = await replica(store);
    cleanUp.push(a.close);
    const b = await replica(store);
    cleanUp.push(b.close);
    const port = await freePort();
    // The camera registered at replica A only; B knows of it nothing but A's dialog record.
    await deviceAt(a.gateway, port);
    const run = runSipp({
      scenario: `${scenarios}/two_dialogs_uas.xml`,
      localPort: port,
      calls: 1,
      timeoutMs: 20_000,
    });
    const result = await a.bus.request('gateway.invite', playRequest(), DEADLINE);
    if (!result.ok) throw new Error(`not answered: ${result.status}`);
    await waitFor(async () => (await store.keys(`${PLATFORM_ID}:dialog:${result.callId}:`)).length === 1, {
      what: 'the dialog record in Redis',
    });
    expect(b.gateway.calls.get(result.callId)).toBeUndefined();
    expect(await b.bus.request('gateway.bye', { callId: result.callId }, DEADLINE)).toEqual({ ok: true });
    const done = await run;
    expect(done.exitCode, describeSippFailure(done)).toBe(0);
    await waitFor(async () => (await store.keys(`${PLATFORM_ID}:dialog:`)).length === 0, {
      what: 'the record deleted',
    });
  });

  it("the replica holding a call that another replica ended from its record forgets it (gateway.call-ended 'hung-up' over Redis)", async () => {
    const store = redisStore();
    cleanUp.push(async () => {
      for (const key of await store.keys('')) await store.delete(key);
      await store.close();
    });
    const busNamespace = `test-dialogs-bus-${randomBytes(4).toString('hex')}`;
    const a = await replica(store, busNamespace);
    cleanUp.push(a.close);
    const b = await replica(store, busNamespace);
    cleanUp.push(b.close);
    const ended: CallEnded[] = [];
    await b.bus.subscribe('gateway.call-ended', (event) => {
      ended.push(event);
    });
    const port = await freePort();
    await deviceAt(a.gateway, port);
    const run = runSipp({
      scenario: `${scenarios}/two_dialogs_uas.xml`,
      localPort: port,
      calls: 1,
      timeoutMs: 20_000,
    });
    // Placed at A (directly: on the shared bus the INVITE could land at B, which does not hold the device).
    const result = await a.gateway.calls.invite(playRequest());
    if (!result.ok) throw new Error(`not answered: ${result.status}`);
    await waitFor(async () => (await store.keys(`${PLATFORM_ID}:dialog:${result.callId}:`)).length === 1, {
      what: 'the dialog record in Redis',
    });
    // What `gateway.bye` does at B: B holds no such call and ends it from A's record.
    expect(b.gateway.calls.get(result.callId)).toBeUndefined();
    expect(await b.gateway.calls.bye(result.callId)).toEqual({ ok: true });
    const done = await run;
    expect(done.exitCode, describeSippFailure(done)).toBe(0);
    // A learns it from B's event: no dead call kept until the device's BYE or its going offline.
    await waitFor(() => a.gateway.calls.get(result.callId) === undefined, { what: 'A forgetting the call' });
    expect(a.gateway.calls.size).toBe(0);
    expect(a.gateway.endpoint.dialogs.size).toBe(0);
    expect(ended).toEqual([
      { callId: result.callId, sessionId: 'session-1', reason: 'hung-up', at: expect.any(String) },
    ]);
  });
});
