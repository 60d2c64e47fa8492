import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  MemoryBroker,
  MemoryBus,
  MemoryKeyValueStore,
  MemoryLeaseStore,
  RedisBus,
  RedisKeyValueStore,
  RedisLeaseStore,
} from '@tessera/bus';
import {
  type Bus,
  type KeyValueStore,
  type LeaseStore,
  StreamRecord,
  streamLeaseKey,
  streamRecordKey,
  type ViewerRequest,
} from '@tessera/contracts';
import { createLogger } from '@tessera/kit';
import { scratchDir } from '@tessera/media-protocols/testing';
import { waitFor } from '@tessera/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaServer } from '../../src/media-server';
import { BusCamera } from '../support/bus-camera';
import { encodeTestVideo, type TestVideo } from '../support/gb-device';
import { randomPortRange, TEST_SECRET, testConfig } from '../support/media-server';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const MAIN = join(__dirname, '../../src/main.ts');
const logger = createLogger('stream-owners-test', process.env.TESSERA_TEST_LOG ?? 'silent');
let serial = 0;
const nextChannel = () => `3402000000132${String(++serial + 500).padStart(7, '0')}`;
const viewerRequest = (channelId: string): ViewerRequest => ({
  channelId,
  deviceId: '34020000001110000001',
  civilCode: '34020000',
  transport: 'udp',
  realm: '3402000000',
  purpose: 'view',
  timeoutMs: 10_000,
});

interface Plane {
  /** The platform's and the gateway's side of the bus. */
  readonly peer: Bus;
  readonly store: KeyValueStore;
  readonly leases: LeaseStore;
  server(node: string): Promise<MediaServer>;
  close(): Promise<void>;
}

function memoryPlane(): Plane {
  const broker = new MemoryBroker();
  const servers: MediaServer[] = [];
  const peer = new MemoryBus({ broker, logger });
  return {
    peer,
    store: new MemoryKeyValueStore({ broker }),
    leases: new MemoryLeaseStore({ broker }),
    async server(node) {
      const server = new MediaServer({
        config: testConfig({ playGraceMs: 60_000 }),
        bus: new MemoryBus({ broker, logger }),
        store: new MemoryKeyValueStore({ broker }),
        leases: new MemoryLeaseStore({ broker }),
        node,
        logger,
      });
      await server.start();
      servers.push(server);
      return server;
    },
    async close() {
      for (const server of servers) await server.close();
      await peer.close();
    },
  };
}

function redisPlane(namespace: string): Plane {
  const closers: (() => Promise<void>)[] = [];
  const own = <T extends { close(): Promise<void> }>(thing: T): T => {
    closers.unshift(() => thing.close());
    return thing;
  };
  return {
    peer: own(new RedisBus({ url: REDIS_URL, namespace, logger })),
    store: own(new RedisKeyValueStore({ url: REDIS_URL, namespace, logger })),
    leases: own(new RedisLeaseStore({ url: REDIS_URL, namespace, logger })),
    async server(node) {
      const bus = own(new RedisBus({ url: REDIS_URL, namespace, logger }));
      const store = own(new RedisKeyValueStore({ url: REDIS_URL, namespace, logger }));
      const leases = own(new RedisLeaseStore({ url: REDIS_URL, namespace, logger }));
      const server = own(
        new MediaServer({ config: testConfig({ playGraceMs: 60_000 }), bus, store, leases, node, logger }),
      );
      await server.start();
      return server;
    },
    async close() {
      for (const close of closers.splice(0)) await close();
    },
  };
}

/**
 * Two media servers on one bus and store: a channel still gets one owner and one upstream (one INVITE at the camera)
 * whichever server each reader's request reaches — the other forwards to the lease holder.
 */
describe.each([
  ['in memory', () => memoryPlane()],
  ['on Redis', () => redisPlane(`test-owners-${randomBytes(4).toString('hex')}`)],
])('two media servers %s', (_, makePlane) => {
  const scratch = scratchDir();
  let video: TestVideo;
  let plane: Plane;
  let camera: BusCamera;

  beforeAll(async () => {
    video = await encodeTestVideo(scratch.file('clip.h264'), { seconds: 1 });
    plane = makePlane();
    await plane.server('media-a');
    await plane.server('media-b');
    camera = await new BusCamera(plane.peer, video).start();
  }, 30_000);
  afterAll(async () => {
    await plane?.close();
    await camera?.close();
    scratch.remove();
  });

  it('concurrent readers through both servers: one INVITE, one owner, the same stream for all', async () => {
    const channelId = nextChannel();
    const ask = (node: string) =>
      plane.peer.request('media.viewer', viewerRequest(channelId), { node, timeoutMs: 12_000 });
    const answers = await Promise.all(['media-a', 'media-b', 'media-a', 'media-b'].map(ask));
    expect(camera.invitesFor(channelId)).toHaveLength(1);
    expect(new Set(answers.map((a) => a.streamId)).size).toBe(1);
    expect(new Set(answers.map((a) => a.node)).size).toBe(1);
    const owner = answers[0]!.node;
    expect((await plane.leases.holder(streamLeaseKey(channelId)))?.holder).toBe(owner);
    const record = StreamRecord.parse(JSON.parse((await plane.store.get(streamRecordKey(channelId)))!));
    expect(record).toMatchObject({ node: owner, streamId: answers[0]!.streamId, state: 'live' });
    // Asked on the shared queue afterwards, whichever server takes it: the same stream.
    const later = await plane.peer.request('media.viewer', viewerRequest(channelId), { timeoutMs: 12_000 });
    expect(later).toMatchObject({ streamId: answers[0]!.streamId, node: owner, shared: true });
    expect(camera.invitesFor(channelId)).toHaveLength(1);
  });
});

/**
 * kill -9 of the media server owning a stream (a real process): its lease is not renewed, the other server takes the
 * channel over at the next reader's request — after hanging up the dead owner's call — within 5 s of the lease.
 */
describe('kill -9 of the owning media server', () => {
  const scratch = scratchDir();
  const namespace = `test-takeover-${randomBytes(4).toString('hex')}`;
  let video: TestVideo;
  let plane: Plane;
  let camera: BusCamera;
  let child: ChildProcess | undefined;
  let survivor: MediaServer;

  beforeAll(async () => {
    video = await encodeTestVideo(scratch.file('clip.h264'), { seconds: 1 });
    plane = redisPlane(namespace);
    camera = await new BusCamera(plane.peer, video).start();
  }, 30_000);
  afterAll(async () => {
    child?.kill('SIGKILL');
    await plane?.close();
    await camera?.close();
    scratch.remove();
  });

  it('another media server serves the next reader within 5 s of taking the lease, ending the old call first', async () => {
    const ports = randomPortRange();
    child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
      env: {
        ...process.env,
        REDIS_URL,
        TESSERA_BUS_NAMESPACE: namespace,
        TESSERA_NODE_ID: 'media-doomed',
        TESSERA_MEDIA_HOST: '127.0.0.1',
        TESSERA_MEDIA_PUBLIC_HOST: '127.0.0.1',
        TESSERA_MEDIA_HTTP_PORT: '0',
        TESSERA_MEDIA_RTP_PORTS: `${ports.min}-${ports.max}`,
        TESSERA_MEDIA_TOKEN_SECRET: TEST_SECRET,
        TESSERA_PLAY_GRACE_MS: '60000',
        TESSERA_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const channelId = nextChannel();
    const first = await waitFor(
      () =>
        plane.peer
          .request('media.viewer', viewerRequest(channelId), { node: 'media-doomed', timeoutMs: 3_000 })
          .catch(() => undefined),
      { what: 'the child media server serving', timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(first.node).toBe('media-doomed');
    const firstCall = camera.invitesFor(channelId).length === 1 ? [...camera.calls.keys()][0]! : '';
    expect(firstCall).toMatch(/^call-/);

    survivor = await plane.server('media-b');
    child.kill('SIGKILL');
    await new Promise<void>((resolve) => child!.once('exit', () => resolve()));

    // The next reader, on the shared queue: the survivor sees the dead holder's lease, waits for it to lapse.
    const asked = plane.peer.request('media.viewer', viewerRequest(channelId), { timeoutMs: 15_000 });
    const takenAt = await waitFor(
      async () =>
        (await plane.leases.holder(streamLeaseKey(channelId)))?.holder === 'media-b' ? Date.now() : undefined,
      { what: 'the survivor taking the lease', timeoutMs: 12_000, intervalMs: 20 },
    );
    const answer = await asked;
    expect(Date.now() - takenAt).toBeLessThan(5_000);
    expect(answer).toMatchObject({ node: 'media-b', shared: false, stream: { codec: 'h264' } });
    expect(answer.whepBase).toBe(survivor.publicUrl);
    // The camera was told to stop sending to the dead server before it was asked again.
    expect(camera.byes).toContain(firstCall);
    expect(camera.invitesFor(channelId)).toHaveLength(2);
  }, 60_000);
});
