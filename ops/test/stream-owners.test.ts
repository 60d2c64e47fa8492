import { randomBytes } from 'node:crypto';
import { RedisBus, RedisKeyValueStore, RedisLeaseStore } from '@tessera/bus';
import { streamLeaseKey, type ViewerRequest } from '@tessera/contracts';
import { Gateway, loadGatewayConfig } from '@tessera/gateway';
import { createLogger } from '@tessera/kit';
import { loadMediaServerConfig, MediaServer } from '@tessera/media-server';
import { waitFor } from '@tessera/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulatorEndpoint, planCity, Simulator } from '../src/simulator';
import { SIMULATED_DEVICE_PASSWORD } from '../src/tessera-instance';

const SERVER_ID = '43010000002000000001';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const logger = createLogger('stream-owners-e2e', process.env.TESSERA_TEST_LOG ?? 'silent');

/**
 * Two media servers and the real gateway on one Redis, simulated cameras registered with the gateway: readers of
 * one channel asking through both media servers at once make ONE INVITE at the camera (counted by the simulated
 * device), and the stream's owner is the one holding the lease. The takeover after kill -9 of the owner is proven
 * in media-server/test/streams/stream-owners.test.ts with a real child process.
 */
describe('one upstream per channel across media servers (real gateway, simulated cameras, Redis)', () => {
  const namespace = `test-stream-owners-${randomBytes(4).toString('hex')}`;
  const closers: (() => Promise<void>)[] = [];
  let peer: RedisBus;
  let leases: RedisLeaseStore;
  let simulator: Simulator;
  const media: MediaServer[] = [];

  const own = <T extends { close(): Promise<void> }>(thing: T): T => {
    closers.unshift(() => thing.close());
    return thing;
  };

  beforeAll(async () => {
    peer = own(new RedisBus({ url: REDIS_URL, namespace, logger }));
    leases = own(new RedisLeaseStore({ url: REDIS_URL, namespace, logger }));
    // The inventory's answer for every device (the platform's part; any camera is welcome here).
    await peer.handle('inventory.device-policy', async () => ({
      known: false,
      digest: null,
      charset: null,
      keepaliveIntervalSec: null,
      keepaliveCount: null,
      enabled: true,
    }));
    const gateway = own(
      await Gateway.start({
        config: loadGatewayConfig({
          TESSERA_SIP_ID: SERVER_ID,
          TESSERA_SIP_HOST: '127.0.0.1',
          TESSERA_SIP_PORT: '0',
          TESSERA_SIP_PASSWORD: SIMULATED_DEVICE_PASSWORD,
        }),
        bus: own(new RedisBus({ url: REDIS_URL, namespace, logger })),
        store: own(new RedisKeyValueStore({ url: REDIS_URL, namespace, logger })),
        logger,
      }),
    );
    for (const [node, ports] of [
      ['media-a', '34100-34149'],
      ['media-b', '34150-34199'],
    ] as const) {
      const server = new MediaServer({
        config: loadMediaServerConfig({
          TESSERA_MEDIA_HOST: '127.0.0.1',
          TESSERA_MEDIA_PUBLIC_HOST: '127.0.0.1',
          TESSERA_MEDIA_HTTP_PORT: '0',
          TESSERA_MEDIA_RTP_PORTS: ports,
          TESSERA_MEDIA_TOKEN_SECRET: 'stream-owners-test-secret',
          TESSERA_PLAY_GRACE_MS: '60000',
        }),
        bus: own(new RedisBus({ url: REDIS_URL, namespace, logger })),
        store: own(new RedisKeyValueStore({ url: REDIS_URL, namespace, logger })),
        leases: own(new RedisLeaseStore({ url: REDIS_URL, namespace, logger })),
        node,
        logger: logger.child({ node }),
      });
      // Closed before the gateway (unshift): its streams are hung up through it.
      own(server);
      await server.start();
      media.push(server);
    }
    const { endpoint, port } = await createSimulatorEndpoint({});
    closers.unshift(() => endpoint.close());
    simulator = new Simulator({
      endpoint,
      server: { id: SERVER_ID, host: '127.0.0.1', port: gateway.port, transport: 'udp' },
      devices: planCity({ devices: 4, seed: 5, nvrShare: 0 }),
      password: SIMULATED_DEVICE_PASSWORD,
      logger,
      media: {
        host: '127.0.0.1',
        contact: { host: '127.0.0.1', port },
        video: { h264: { width: 320, height: 240 } },
      },
    });
    closers.unshift(() => simulator.stop());
    await simulator.start();
    expect(simulator.registeredCount()).toBe(4);
  }, 60_000);

  afterAll(async () => {
    for (const close of closers.splice(0)) await close().catch(() => undefined);
  });

  it('eight readers through both media servers at once: one INVITE at the camera, one owner, one stream', async () => {
    const channel = simulator.devices
      .flatMap((d) => d.channels.map((c) => ({ deviceId: d.deviceId, ...c })))
      .find((c) => c.codec === 'h264')!;
    const request: ViewerRequest = {
      channelId: channel.channelId,
      deviceId: channel.deviceId,
      civilCode: '43010000',
      transport: 'udp',
      realm: SERVER_ID.slice(0, 10),
      purpose: 'view',
      timeoutMs: 15_000,
    };
    const nodes = ['media-a', 'media-b', 'media-a', 'media-b', 'media-b', 'media-a', 'media-b', 'media-a'];
    const answers = await Promise.all(
      nodes.map((node) => peer.request('media.viewer', request, { node, timeoutMs: 17_000 })),
    );
    expect(simulator.inviteLog.filter((i) => i.channelId === channel.channelId)).toHaveLength(1);
    expect(new Set(answers.map((a) => a.streamId)).size).toBe(1);
    const owner = answers[0]!.node;
    expect(answers.every((a) => a.node === owner)).toBe(true);
    expect(answers.filter((a) => !a.shared)).toHaveLength(1);
    expect((await leases.holder(streamLeaseKey(channel.channelId)))?.holder).toBe(owner);
    const ownerServer = media.find((m) => m.node === owner)!;
    expect(answers[0]!.whepBase).toBe(ownerServer.publicUrl);
    // The media flows into the owner only.
    expect(ownerServer.snapshot().filter((i) => i.channelId === channel.channelId)).toHaveLength(1);
    expect(
      media
        .filter((m) => m !== ownerServer)
        .flatMap((m) => m.snapshot())
        .filter((i) => i.channelId === channel.channelId),
    ).toEqual([]);

    // Stopped at the owner: the camera is hung up (its media session ends).
    await peer.request(
      'media.stream-stop',
      { streamId: answers[0]!.streamId, reason: 'test' },
      { node: owner, timeoutMs: 10_000 },
    );
    await waitFor(() => simulator.media.sessions().every((s) => s.channelId !== channel.channelId), {
      what: 'BYE at the camera',
      timeoutMs: 10_000,
    });
  });
});
