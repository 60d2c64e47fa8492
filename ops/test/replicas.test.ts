import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { streamLeaseKey } from '@tessera/contracts';
import { createLogger } from '@tessera/kit';
import { launchChromium, waitFor } from '@tessera/testkit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulatorEndpoint, planCity, type SimulatedChannel, Simulator } from '../src/simulator';
import { SIMULATED_DEVICE_PASSWORD } from '../src/simulated-device-password';
import {
  type GatewayProcess,
  type MediaProcess,
  type PlatformProcess,
  TesseraCluster,
} from './support/tessera-cluster';
import { UpperRegistrar } from './support/upper-registrar';

const logger = createLogger('replicas', process.env.TESSERA_TEST_LOG ?? 'silent');
const PLAYER = readFileSync(join(__dirname, 'fixtures/whep-player.html'));
const DEVICES = 200;
const TIMINGS = {
  keepaliveIntervalSec: 2,
  keepaliveCount: 3,
  gatewayLeaseTtlSec: 3,
  streamLeaseTtlMs: 4_000,
  playGraceMs: 30_000,
};

interface DeviceView {
  deviceId: string;
  status: string;
  channelCount: number;
}
interface PlayAnswer {
  sessionId: string;
  whepUrl: string;
  token: string;
  codec: string;
  shared: boolean;
}
interface SessionView {
  sessionId: string;
  channelId: string;
  state: string;
}
/** What the test page (fixtures/whep-player.html) puts on its window. */
interface Player {
  play(url: string, token: string): Promise<{ status: number; body?: string }>;
  stats(): Promise<{ framesDecoded: number; frameWidth: number; frameHeight: number }>;
}

/**
 * Issue 11's proof: every long-lived thing has one owner and a takeover path, across real processes. Two platform
 * processes, two gateway processes on one SIP port and two media servers share one PostgreSQL database and one
 * Redis namespace; a simulated city of 200 devices registers, and the channels watched stream real video. Then one
 * process of each kind is killed with -9 in turn, and what it owned goes on elsewhere.
 */
describe('replicas of every service (real processes, PostgreSQL, Redis)', () => {
  let cluster: TesseraCluster;
  let platformA: PlatformProcess;
  let platformB: PlatformProcess;
  /**
   * The replica the devices' datagrams reach, so it owns their registrations: the one bound last on Node 20
   * (SO_REUSEADDR), the one the simulator's address hashes to with SO_REUSEPORT (all devices share one socket).
   */
  let activeGateway: GatewayProcess;
  /** The other one, standing by on the shared port. */
  let standbyGateway: GatewayProcess;
  let simulator: Simulator;
  let closeEndpoint: () => Promise<void>;
  let browser: Browser;
  let pageServer: Server;
  let pageUrl: string;
  let token: string;
  /** The channel watched through both platforms (an H.264 camera). */
  let watched: SimulatedChannel;
  /** Its Chromium viewer, re-opened after the media server owning it dies. */
  let viewer: Page;
  let streamOwner: MediaProcess;
  /** The watched channel's stream after the takeover, started through platform A. */
  let takenOverSession: string;

  const api = async <T>(
    platform: PlatformProcess,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${platform.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
  };
  const onlineDevices = async (platform: PlatformProcess): Promise<string[]> => {
    const list = await api<DeviceView[]>(platform, 'GET', '/api/v1/devices');
    expect(list.status).toBe(200);
    return list.body
      .filter((d) => d.status === 'online')
      .map((d) => d.deviceId)
      .sort();
  };
  const play = (platform: PlatformProcess, channelId: string) =>
    api<PlayAnswer>(platform, 'POST', `/api/v1/channels/${channelId}/play`);
  const ptz = (platform: PlatformProcess, channelId: string) =>
    api<{ status: number; result: string }>(platform, 'POST', `/api/v1/channels/${channelId}/ptz`, {
      type: 'move',
      direction: 'left',
      panSpeed: 0x20,
      tiltSpeed: 0,
    });
  /** A WHEP viewer in Chromium: POSTs its offer with the token as Bearer, as the console does. */
  const openViewer = async (answer: PlayAnswer): Promise<Page> => {
    const page = await browser.newPage();
    await page.goto(pageUrl);
    const result = await page.evaluate(
      ([url, bearer]) => (globalThis as unknown as Player).play(url!, bearer!),
      [answer.whepUrl, answer.token],
    );
    expect(result, result.body).toMatchObject({ status: 201 });
    return page;
  };
  const framesDecoded = async (page: Page) =>
    (await page.evaluate(() => (globalThis as unknown as Player).stats())).framesDecoded;
  const decodes = async (page: Page, more = 10) => {
    const start = await framesDecoded(page);
    return waitFor(async () => (await framesDecoded(page)) >= start + more, {
      what: `${more} more frames decoded`,
      timeoutMs: 20_000,
      intervalMs: 100,
    });
  };
  const invitesFor = (channelId: string) => simulator.inviteLog.filter((i) => i.channelId === channelId);
  const presenceOwner = async (deviceId: string): Promise<string | undefined> => {
    const raw = await cluster.store.get(`${cluster.sipId}:presence:${deviceId}`);
    return raw ? (JSON.parse(raw) as { node: string }).node : undefined;
  };

  beforeAll(async () => {
    cluster = new TesseraCluster(TIMINGS);
    // The first platform migrates the database; the others start on it.
    platformA = await cluster.startPlatform('platform-a');
    await cluster.startGateway('gateway-a');
    [platformB] = await Promise.all([
      cluster.startPlatform('platform-b'),
      cluster.startGateway('gateway-b'),
      cluster.startMedia('media-a'),
      cluster.startMedia('media-b'),
    ]);
    const login = await fetch(`${platformA.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: cluster.adminPassword }),
    });
    token = ((await login.json()) as { token: string }).token;

    const { endpoint, port } = await createSimulatorEndpoint({});
    closeEndpoint = () => endpoint.close();
    simulator = new Simulator({
      endpoint,
      server: { id: cluster.sipId, host: '127.0.0.1', port: cluster.sipPort, transport: 'udp' },
      devices: planCity({ devices: DEVICES, seed: 1111, nvrShare: 0.1, channelsPerNvr: 4 }),
      password: SIMULATED_DEVICE_PASSWORD,
      logger,
      keepaliveIntervalSec: TIMINGS.keepaliveIntervalSec,
      retryAfterMs: 1_000,
      registerConcurrency: 50,
      media: {
        host: '127.0.0.1',
        contact: { host: '127.0.0.1', port },
        // Small and keyed every second: the machine is shared, and a new reader's first picture comes sooner.
        video: { h264: { width: 320, height: 180, gop: 25, bitrate: 300_000 } },
      },
    });
    watched = simulator.devices
      .filter((d) => d.kind === 'ipc')
      .flatMap((d) => d.channels)
      .find((c) => c.codec === 'h264')!;
    await simulator.start();

    pageServer = createServer((_, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end(PLAYER));
    await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
    pageUrl = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}/`;
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    pageServer?.close();
    await simulator?.stop();
    await closeEndpoint?.();
    await cluster?.close();
  }, 60_000);

  it('(a) both platforms list the same devices online; a device registered at one gateway is steered through either platform', async () => {
    const everyDevice = simulator.devices.map((d) => d.deviceId).sort();
    for (const platform of [platformA, platformB]) {
      await waitFor(
        async () => JSON.stringify(await onlineDevices(platform)) === JSON.stringify(everyDevice),
        {
          what: `all ${DEVICES} devices online at ${platform.process.name}`,
          timeoutMs: 90_000,
          intervalMs: 500,
        },
      );
    }
    expect(simulator.stats.registered).toBe(DEVICES);
    // Registered at the replica their datagrams reach, recorded in the shared store with its node.
    const owners = new Set(await Promise.all(simulator.devices.map((d) => presenceOwner(d.deviceId))));
    expect(owners.size).toBe(1);
    const [owner] = owners;
    activeGateway = [...cluster.gateways.values()].find((g) => g.node === owner)!;
    standbyGateway = [...cluster.gateways.values()].find((g) => g.node !== owner)!;
    expect(activeGateway).toBeDefined();

    // PTZ through both platforms: each command goes to whichever gateway takes it from the shared queue, and the
    // standby passes it on to the owner, where the camera's answer arrives.
    const dome = simulator.devices.flatMap((d) => d.channels).find((c) => c.ptzType === 1)!;
    for (const platform of [platformA, platformB, platformA, platformB, platformA, platformB]) {
      const before = simulator.ptzLog.length;
      const answer = await ptz(platform, dome.channelId);
      expect(answer).toMatchObject({ status: 200, body: { status: 200, result: 'OK' } });
      expect(simulator.ptzLog.slice(before).map((p) => p.channelId)).toEqual([dome.channelId]);
    }
  }, 120_000);

  it('(b) viewers of one channel through either platform share one upstream: one INVITE, both answered by the owning media server', async () => {
    const first = await play(platformA, watched.channelId);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const second = await play(platformB, watched.channelId);
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    expect(second.body).toMatchObject({ sessionId: first.body.sessionId, shared: true });
    expect(invitesFor(watched.channelId)).toHaveLength(1);

    const holder = (await cluster.leases.holder(streamLeaseKey(watched.channelId)))?.holder;
    streamOwner = [...cluster.media.values()].find((m) => m.node === holder)!;
    expect(streamOwner).toBeDefined();
    for (const answer of [first.body, second.body])
      expect(answer.whepUrl).toBe(`${streamOwner.publicUrl}/whep/${first.body.sessionId}`);

    // Two Chromium viewers, each with the token its platform signed, in the Authorization header.
    viewer = await openViewer(first.body);
    const other = await openViewer(second.body);
    await decodes(viewer);
    await decodes(other);
    await other.close();
    expect(invitesFor(watched.channelId)).toHaveLength(1);
    expect(simulator.media.sessions(watched.channelId)).toHaveLength(1);
  }, 90_000);

  it('(c) kill -9 of the media server owning the watched stream: the other takes the lease and the viewer plays again within 5 s', async () => {
    const survivor = [...cluster.media.values()].find((m) => m !== streamOwner)!;
    const lease = streamLeaseKey(watched.channelId);
    const firstCall = invitesFor(watched.channelId)[0]!.callId;
    await streamOwner.process.kill9();
    const taken = waitFor(
      async () => ((await cluster.leases.holder(lease))?.holder === survivor.node ? Date.now() : undefined),
      { what: 'the surviving media server taking the lease', timeoutMs: 60_000, intervalMs: 20 },
    );
    // The console's viewer lost its picture and asks again, through the platform it came from, until it is served.
    const answer = await waitFor(
      async () => {
        const again = await play(platformA, watched.channelId);
        return again.status === 200 ? again.body : undefined;
      },
      { what: 'the channel played again', timeoutMs: 60_000, intervalMs: 200 },
    );
    const takenAt = await taken;
    expect(answer.whepUrl).toBe(`${survivor.publicUrl}/whep/${answer.sessionId}`);
    await viewer.close();
    viewer = await openViewer(answer);
    await waitFor(async () => (await framesDecoded(viewer)) > 0, {
      what: 'the first frame decoded again',
      timeoutMs: 20_000,
      intervalMs: 50,
    });
    // Within 5 s of the survivor taking the lease (the lapse of the dead owner's lease comes before: its TTL).
    expect(Date.now() - takenAt).toBeLessThan(5_000);
    await decodes(viewer);
    // One new INVITE, and the dead owner's call was hung up: the camera streams once, to the new owner.
    const invites = invitesFor(watched.channelId);
    expect(invites).toHaveLength(2);
    expect(simulator.media.sessions(watched.channelId).map((s) => s.callId)).toEqual([invites[1]!.callId]);
    expect(invites[1]!.callId).not.toBe(firstCall);
    streamOwner = survivor;
    takenOverSession = answer.sessionId;
  }, 120_000);

  it('(d) kill -9 of a platform: the other answers and the live session started through the dead one continues', async () => {
    const [call] = simulator.media.sessions(watched.channelId);
    await platformA.process.kill9();
    const sessions = await api<SessionView[]>(platformB, 'GET', '/api/v1/play-sessions');
    expect(sessions.status).toBe(200);
    const session = sessions.body.find((s) => s.channelId === watched.channelId);
    expect(session).toMatchObject({ sessionId: takenOverSession, state: 'live' });
    // The owning media server keeps streaming to the viewer, from the same call to the camera.
    await decodes(viewer);
    expect(simulator.media.sessions(watched.channelId).map((s) => s.callId)).toEqual([call!.callId]);
    // Another viewer through the surviving platform joins the same stream.
    const joined = await play(platformB, watched.channelId);
    expect(joined.body).toMatchObject({ sessionId: session!.sessionId, shared: true });
    expect(invitesFor(watched.channelId)).toHaveLength(2);
    expect(await onlineDevices(platformB)).toHaveLength(DEVICES);
  }, 60_000);

  it('(e) kill -9 of a gateway: the other serves its devices without a new REGISTER, none goes offline, PTZ reaches them, its upper link is registered again within 30 s', async () => {
    const upper = await UpperRegistrar.start();
    try {
      // The upper link goes to the replica the devices' datagrams reach, so that one kill takes both: the standby is
      // paused while the link is created (it cannot claim the lease) and resumed once the active replica holds it.
      standbyGateway.process.pause(true);
      let upperLease: string;
      try {
        const created = await api<{ id: string }>(platformB, 'POST', '/api/v1/upper-platforms', {
          name: 'province',
          sipId: '43000000002000000001',
          domain: '4300000000',
          host: '127.0.0.1',
          port: upper.port,
          transport: 'udp',
          password: 'upper-platform-password',
          keepaliveIntervalSec: 2,
        });
        expect(created.status, JSON.stringify(created.body)).toBe(201);
        upperLease = `${cluster.sipId}:upper:${created.body.id}`;
        await waitFor(
          async () =>
            upper.registers.length > 0 &&
            (await cluster.leases.holder(upperLease))?.holder === activeGateway.node,
          { what: 'the upper link registered by the active gateway', timeoutMs: 30_000, intervalMs: 100 },
        );
      } finally {
        standbyGateway.process.pause(false);
      }

      const offline: string[] = [];
      await cluster.bus.subscribe('device.offline', ({ deviceId }) => {
        offline.push(deviceId);
      });
      const registered = simulator.stats.registered;
      const keepalives = simulator.stats.keepalivesSent;
      const registersAtUpper = upper.registers.length;
      const owners = async () => Promise.all(simulator.devices.map((d) => presenceOwner(d.deviceId)));
      expect(new Set(await owners())).toEqual(new Set([activeGateway.node]));
      await activeGateway.process.kill9();
      const killedAt = Date.now();

      // Every device's datagrams now reach the standby, which serves them from the shared store.
      await waitFor(async () => (await owners()).every((owner) => owner === standbyGateway.node), {
        what: 'every device owned by the standby gateway',
        timeoutMs: 30_000,
        intervalMs: 500,
      });
      const dome = simulator.devices.flatMap((d) => d.channels).find((c) => c.ptzType === 1)!;
      const before = simulator.ptzLog.length;
      expect(await ptz(platformB, dome.channelId)).toMatchObject({ status: 200, body: { status: 200 } });
      expect(simulator.ptzLog.slice(before).map((p) => p.channelId)).toEqual([dome.channelId]);

      // The upper link, from the standby, within 30 s of the kill.
      await waitFor(() => upper.registers.length > registersAtUpper, {
        what: 'the upper link registered again',
        timeoutMs: 30_000,
        intervalMs: 100,
      });
      expect(upper.registers[registersAtUpper]!.at - killedAt).toBeLessThan(30_000);
      expect((await cluster.leases.holder(upperLease))?.holder).toBe(standbyGateway.node);

      // Past interval × count (plus the dead replica's lease) since the kill: keepalives answered all along.
      const window =
        (TIMINGS.keepaliveIntervalSec * TIMINGS.keepaliveCount + TIMINGS.gatewayLeaseTtlSec + 2) * 1000;
      await waitFor(() => Date.now() - killedAt > window, { timeoutMs: window + 5_000, intervalMs: 250 });
      expect(offline).toEqual([]);
      // A refused keepalive makes a simulated device register again: none did.
      expect(simulator.stats.registered).toBe(registered);
      expect(simulator.stats.keepalivesSent - keepalives).toBeGreaterThan(DEVICES * 2);
      expect(await onlineDevices(platformB)).toHaveLength(DEVICES);
    } finally {
      await upper.close();
    }
  }, 120_000);
});
