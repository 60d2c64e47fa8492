import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createBus, createKeyValueStore, createLeaseStore } from '@tessera/bus';
import type { Bus, EventPayload, KeyValueStore, LeaseStore } from '@tessera/contracts';
import { decodeManscdp, encodeManscdp } from '@tessera/gb28181';
import { createLogger } from '@tessera/kit';
import {
  buildAuthorization,
  digestHa1,
  RequestBuilder,
  SipEndpoint,
  type SipRequest,
  TcpTransport,
} from '@tessera/sip';
import { freePort, waitFor } from '@tessera/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { sharedCamera } from '../cascade/gateway-support';
import { FakeUpper, LOCAL_ID, UPPER_DOMAIN, UPPER_ID, UPPER_PASSWORD, upperConfig } from '../cascade/support';

const gatewayDir = resolve(__dirname, '../..');
const REDIS_URL = 'redis://127.0.0.1:6379';
const SIP_ID = LOCAL_ID;
const DOMAIN = SIP_ID.slice(0, 10);
const PASSWORD = 'K7vQ-2mcx9Lp-replicas';
const KEEPALIVE_INTERVAL_SEC = 3;
const KEEPALIVE_COUNT = 3;
const LEASE_TTL_SEC = 2;
const logger = createLogger('replicas-test', 'silent');

interface Replica {
  node: string;
  child: ChildProcess;
  metricsPort: number;
  output: () => string;
}

/** Two (or more) real gateway processes (src/main.ts) on one SIP port, one Redis, one namespace. */
class Cluster {
  readonly namespace = `gw-replicas-${process.pid}-${Date.now()}`;
  readonly replicas: Replica[] = [];
  readonly platform: Bus;
  readonly store: KeyValueStore;
  readonly leases: LeaseStore & { close(): Promise<void> };
  sipPort = 0;

  constructor() {
    this.platform = createBus({ redisUrl: REDIS_URL, namespace: this.namespace, logger });
    this.store = createKeyValueStore({ redisUrl: REDIS_URL, namespace: this.namespace, logger });
    this.leases = createLeaseStore({ redisUrl: REDIS_URL, namespace: this.namespace, logger });
  }

  async start(node: string): Promise<Replica> {
    this.sipPort ||= await freePort();
    const metricsPort = await freePort();
    let output = '';
    // Node itself, not through pnpm: kill -9 must reach the gateway, which a wrapper would not pass on.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: gatewayDir,
      env: {
        ...process.env,
        REDIS_URL,
        TESSERA_BUS_NAMESPACE: this.namespace,
        TESSERA_NODE_ID: node,
        TESSERA_SIP_ID: SIP_ID,
        TESSERA_SIP_PASSWORD: PASSWORD,
        TESSERA_NONCE_SECRET: 'replicas-share-this-nonce-secret',
        TESSERA_SIP_HOST: '127.0.0.1',
        TESSERA_SIP_PUBLIC_HOST: '127.0.0.1',
        TESSERA_SIP_PORT: String(this.sipPort),
        TESSERA_SIP_SHARED_PORT: 'true',
        TESSERA_GATEWAY_LEASE_TTL_SEC: String(LEASE_TTL_SEC),
        TESSERA_KEEPALIVE_INTERVAL_SEC: String(KEEPALIVE_INTERVAL_SEC),
        TESSERA_KEEPALIVE_COUNT: String(KEEPALIVE_COUNT),
        TESSERA_KEEPALIVE_REPORT_SEC: '1',
        TESSERA_INTERROGATE_ON_REGISTER: 'false',
        TESSERA_GATEWAY_METRICS_PORT: String(metricsPort),
        TESSERA_LOG_LEVEL: process.env.TESSERA_TEST_LOG ?? 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const replica = { node, child, metricsPort, output: () => output };
    this.replicas.push(replica);
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`gateway ${node} exited ${child.exitCode}: ${output}`);
        return (await fetch(`http://127.0.0.1:${metricsPort}/health/live`).catch(() => null))?.ok;
      },
      { what: `gateway ${node} up`, timeoutMs: 60_000, intervalMs: 200 },
    );
    return replica;
  }

  /** kill -9: no unregister, no lease release, the socket just closes. */
  async kill(node: string): Promise<void> {
    const replica = this.replicas.find((r) => r.node === node);
    if (!replica || replica.child.exitCode !== null) throw new Error(`no running replica ${node}`);
    const exited = new Promise((done) => replica.child.once('exit', done));
    replica.child.kill('SIGKILL');
    await exited;
  }

  /** A counter of a replica's /metrics, summed over its labels matching `labels`. */
  async counter(node: string, name: string, labels = ''): Promise<number> {
    const replica = this.replicas.find((r) => r.node === node);
    const text = await (await fetch(`http://127.0.0.1:${replica?.metricsPort}/metrics`)).text();
    let sum = 0;
    for (const line of text.split('\n')) {
      if (line.startsWith(`${name}{`) && line.includes(labels)) sum += Number(line.split(' ').pop());
    }
    return sum;
  }

  async owner(deviceId: string): Promise<string | undefined> {
    const raw = await this.store.get(`${SIP_ID}:presence:${deviceId}`);
    return raw ? (JSON.parse(raw) as { node: string }).node : undefined;
  }

  async close(): Promise<void> {
    if (process.env.TESSERA_TEST_LOG) {
      for (const { node, output } of this.replicas) console.log(`----- ${node}\n${output()}`);
    }
    for (const { child } of this.replicas) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((done) => child.once('exit', done));
        child.kill('SIGTERM');
        await exited;
      }
    }
    await this.platform.close();
    await this.store.close();
    await this.leases.close();
  }
}

/** A camera's SIP side over TCP (one connection it opens to the gateway), answering everything 200. */
class TcpSip {
  readonly received: SipRequest[] = [];
  readonly port = 0;
  readonly endpoint: SipEndpoint;

  constructor() {
    this.endpoint = new SipEndpoint({ transports: [new TcpTransport({})], viaHost: '127.0.0.1' });
    this.endpoint.onRequest((request, context) => {
      this.received.push(request);
      context.respond(200, 'OK');
    });
  }

  requests(method: string): SipRequest[] {
    return this.received.filter((r) => r.method === method);
  }

  close(): Promise<void> {
    return this.endpoint.close();
  }
}

type CameraSip = Pick<FakeUpper, 'endpoint' | 'port' | 'close'> & { requests(method: string): SipRequest[] };

/** A camera on our SIP stack: registers with digest, sends keepalives, answers what the gateway sends 200. */
class Camera {
  readonly keepaliveStatuses: number[] = [];
  registers = 0;
  #sn = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  private constructor(
    readonly id: string,
    readonly sip: CameraSip,
    readonly gatewayPort: number,
    readonly transport: 'udp' | 'tcp',
  ) {}

  static async start(id: string, gatewayPort: number, transport: 'udp' | 'tcp' = 'udp'): Promise<Camera> {
    const sip = transport === 'udp' ? await FakeUpper.start() : new TcpSip();
    return new Camera(id, sip, gatewayPort, transport);
  }

  get #gateway() {
    return { transport: this.transport, address: '127.0.0.1', port: this.gatewayPort };
  }

  async register(): Promise<void> {
    const leg = new RequestBuilder({
      from: `sip:${this.id}@${DOMAIN}`,
      to: `sip:${this.id}@${DOMAIN}`,
      contact: `sip:${this.id}@127.0.0.1:${this.sip.port}${this.transport === 'tcp' ? ';transport=tcp' : ''}`,
    });
    const uri = `sip:${SIP_ID}@${DOMAIN}`;
    this.registers++;
    const challenge = await this.sip.endpoint.request(
      leg.build('REGISTER', { uri, headers: [['Expires', '3600']] }),
      this.#gateway,
    );
    expect(challenge.status).toBe(401);
    const authorization = buildAuthorization(challenge.headers.get('WWW-Authenticate') ?? '', {
      username: this.id,
      password: PASSWORD,
      method: 'REGISTER',
      uri,
    });
    const ok = await this.sip.endpoint.request(
      leg.build('REGISTER', {
        uri,
        headers: [
          ['Expires', '3600'],
          ['Authorization', authorization],
        ],
      }),
      this.#gateway,
    );
    expect(ok.status).toBe(200);
  }

  async keepalive(): Promise<number> {
    const leg = new RequestBuilder({ from: `sip:${this.id}@${DOMAIN}`, to: `sip:${SIP_ID}@${DOMAIN}` });
    const body = encodeManscdp({
      kind: 'keepalive',
      sn: ++this.#sn,
      deviceId: this.id,
      status: 'OK',
      faultyDeviceIds: [],
    });
    const response = await this.sip.endpoint.request(
      leg.build('MESSAGE', { uri: `sip:${SIP_ID}@${DOMAIN}`, contentType: 'Application/MANSCDP+xml', body }),
      this.#gateway,
    );
    this.keepaliveStatuses.push(response.status);
    return response.status;
  }

  /** Keepalives every second (well within the interval), as a live camera sends them. */
  keepAlive(): void {
    this.#timer = setInterval(() => {
      this.keepalive().catch(() => this.keepaliveStatuses.push(0));
    }, 1_000);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  ptzCommands(): number {
    return this.sip.requests('MESSAGE').filter((r) => r.body.toString().includes('<PTZCmd>')).length;
  }

  close(): Promise<void> {
    this.stop();
    return this.sip.close();
  }
}

async function collect<T extends 'device.offline' | 'cascade.link-changed'>(
  bus: Bus,
  topic: T,
): Promise<{ at: number; event: EventPayload<T> }[]> {
  const seen: { at: number; event: EventPayload<T> }[] = [];
  await bus.subscribe(topic, (event) => {
    seen.push({ at: Date.now(), event });
  });
  return seen;
}

async function answerPlatform(cluster: Cluster, uppers: ReturnType<typeof upperConfig>[]): Promise<void> {
  await cluster.platform.handle('inventory.device-policy', async () => ({
    known: true,
    digest: null,
    charset: null,
    keepaliveIntervalSec: null,
    keepaliveCount: null,
    enabled: true,
  }));
  await cluster.platform.handle('cascade.uppers', async () => ({ uppers }));
  await cluster.platform.handle('cascade.upper-ha1', async ({ realm }) => ({
    ha1: digestHa1(LOCAL_ID, realm, UPPER_PASSWORD),
  }));
}

const ptz = (deviceId: string) => ({ deviceId, channelId: deviceId, command: { type: 'stop' } }) as const;

describe('gateway replicas on one SIP port (real processes, real Redis)', () => {
  const clusters: Cluster[] = [];
  const cameras: Camera[] = [];
  const uppers: FakeUpper[] = [];
  afterEach(async () => {
    for (const camera of cameras.splice(0)) await camera.close();
    for (const upper of uppers.splice(0)) await upper.close();
    for (const cluster of clusters.splice(0)) await cluster.close();
  });

  it('kill -9 of the replica devices registered at: the other serves them without a new REGISTER, PTZ reaches them, nobody is offline before interval × count', async () => {
    const cluster = new Cluster();
    clusters.push(cluster);
    await answerPlatform(cluster, []);
    const offline = await collect(cluster.platform, 'device.offline');
    await cluster.start('gw-b');
    await cluster.start('gw-a');

    const ids = [
      '43010200001320000101',
      '43010200001320000102',
      '43010200001320000103',
      '43010200001320000104',
    ];
    for (const id of ids) {
      const camera = await Camera.start(id, cluster.sipPort);
      cameras.push(camera);
      await camera.register();
      expect(await camera.keepalive()).toBe(200);
    }
    // A TCP camera: its connection, and so the camera, belongs to the replica that accepted it (on Node 20 the one
    // holding the TCP port); commands taken by the other replica must be passed on to it.
    const wired = await Camera.start('43010200001320000150', cluster.sipPort, 'tcp');
    cameras.push(wired);
    await wired.register();
    expect(await wired.keepalive()).toBe(200);
    // One camera goes silent just before the kill: its offline timer must survive the takeover.
    const silent = await Camera.start('43010200001320000199', cluster.sipPort);
    cameras.push(silent);
    await silent.register();

    const victim = await waitFor(() => cluster.owner(ids[0] ?? ''), { what: 'the first camera owned' });
    const victims: string[] = [];
    for (const id of ids) if ((await cluster.owner(id)) === victim) victims.push(id);
    expect(victims.length).toBeGreaterThan(0);
    for (const camera of cameras) camera.keepAlive();

    // PTZ from the platform's shared queue reaches each camera whichever replica takes the command (the other
    // passes it on to the owner, where the camera's answers arrive).
    for (let round = 0; round < 3; round++) {
      for (const id of [...ids, wired.id]) {
        const result = await cluster.platform.request('gateway.ptz', ptz(id), { timeoutMs: 10_000 });
        expect(result.status).toBe(200);
      }
    }

    silent.stop();
    expect(await silent.keepalive()).toBe(200);
    const silentSince = Date.now();
    expect(wired.ptzCommands()).toBe(3);
    const wiredOwner = await cluster.owner(wired.id);
    await cluster.kill(victim);
    const killedAt = Date.now();
    const survivor = victim === 'gw-a' ? 'gw-b' : 'gw-a';
    const statusesBefore = cameras.map((c) => c.keepaliveStatuses.length);

    // Keepalives go on being answered 200, by the survivor, which now owns every camera the victim had.
    await waitFor(
      async () => {
        for (const id of victims) if ((await cluster.owner(id)) !== survivor) return false;
        return true;
      },
      { what: "the victim's cameras owned by the survivor", timeoutMs: 20_000, intervalMs: 200 },
    );
    for (const id of ids) {
      const result = await cluster.platform.request('gateway.ptz', ptz(id), { timeoutMs: 10_000 });
      expect(result.status).toBe(200);
    }
    // Every camera the victim owned was taken by the survivor: on its first packet there, or adopted.
    expect(await cluster.counter(survivor, 'tessera_gateway_device_takeovers_total')).toBeGreaterThanOrEqual(
      victims.length,
    );
    // Past interval × count + the lease TTL since the kill: live cameras stay online all along.
    await waitFor(
      () => Date.now() - killedAt > (KEEPALIVE_INTERVAL_SEC * KEEPALIVE_COUNT + LEASE_TTL_SEC + 2) * 1000,
      {
        timeoutMs: 30_000,
        intervalMs: 250,
      },
    );
    for (const [index, camera] of cameras.entries()) {
      // A TCP camera of the killed replica lost its connection with it (it reconnects and registers again).
      if (camera === silent || (camera === wired && wiredOwner === victim)) continue;
      const after = camera.keepaliveStatuses.slice(statusesBefore[index]);
      expect(after.length).toBeGreaterThan(5);
      // A keepalive in flight at the kill may be lost with the socket (status 0, retransmitted and answered by the
      // next one); none is refused.
      expect(after.filter((status) => status !== 200 && status !== 0)).toEqual([]);
      expect(camera.registers).toBe(1);
      expect(camera.ptzCommands()).toBe(camera === wired ? 3 : 4);
    }
    expect(silent.registers).toBe(1);
    expect(offline.filter((o) => o.event.deviceId !== silent.id)).toEqual([]);

    // The silent camera: offline once, by the survivor, not before interval × count after its last keepalive.
    await waitFor(() => offline.length > 0, { what: 'the silent camera offline', timeoutMs: 30_000 });
    expect(offline.map((o) => o.event.deviceId)).toEqual([silent.id]);
    expect(offline[0]?.event.reason).toBe('keepalive-timeout');
    expect(offline[0]?.at ?? 0).toBeGreaterThanOrEqual(
      silentSince + KEEPALIVE_INTERVAL_SEC * KEEPALIVE_COUNT * 1000,
    );
  }, 180_000);

  it('an upper link held by a replica killed with -9 is registered again by the other within 30 s', async () => {
    const upper = await FakeUpper.start();
    uppers.push(upper);
    const registrar = upper.digestRegistrar();
    upper.answer = (request, context) =>
      request.method === 'REGISTER' ? registrar(request, context) : context.respond(200, 'OK');
    const cluster = new Cluster();
    clusters.push(cluster);
    await answerPlatform(cluster, [upperConfig(upper.port, { keepaliveIntervalSec: 2, keepaliveCount: 2 })]);
    const changes = await collect(cluster.platform, 'cascade.link-changed');
    await cluster.start('gw-c');
    await cluster.start('gw-d');
    const registered = () => changes.filter((c) => c.event.state === 'registered');
    await waitFor(() => registered().length > 0, { what: 'the upper link registered', timeoutMs: 30_000 });
    const holder = await waitFor(
      async () => (await cluster.leases.holder(`${SIP_ID}:upper:upper-1`))?.holder,
      {
        what: 'the upper lease holder',
      },
    );
    // Exactly one replica registers the link.
    const registersBefore = upper.requests('REGISTER').length;
    await waitFor(() => upper.requests('MESSAGE').length >= 2, {
      what: 'keepalives to the upper',
      timeoutMs: 15_000,
    });
    expect(registered()).toHaveLength(1);
    expect(upper.requests('REGISTER')).toHaveLength(registersBefore);

    await cluster.kill(holder);
    const killedAt = Date.now();
    const survivor = holder === 'gw-c' ? 'gw-d' : 'gw-c';
    await waitFor(() => registered().length > 1, { what: 'the link registered again', timeoutMs: 30_000 });
    expect(registered()[1]?.at ?? Number.POSITIVE_INFINITY).toBeLessThan(killedAt + 30_000);
    expect((await cluster.leases.holder(`${SIP_ID}:upper:upper-1`))?.holder).toBe(survivor);
  }, 120_000);
  it("an upper's catalog subscription and relay answered by a replica killed with -9 are continued by the one taking the link: NOTIFY in the same dialog, refresh 200, BYE 200 and the relay closed", async () => {
    const DEVICE = '34020000001320000001';
    const REMOTE_CHANNEL = '44010000001310000001';
    const upper = await FakeUpper.start();
    uppers.push(upper);
    const registrar = upper.digestRegistrar();
    upper.answer = (request, context) =>
      request.method === 'REGISTER' ? registrar(request, context) : context.respond(200, 'OK');
    const cluster = new Cluster();
    clusters.push(cluster);
    await answerPlatform(cluster, [upperConfig(upper.port, { keepaliveIntervalSec: 2, keepaliveCount: 2 })]);
    await cluster.platform.handle('cascade.shared-catalog', async () => ({
      entries: [sharedCamera(REMOTE_CHANNEL, { deviceId: DEVICE, channelId: DEVICE })],
    }));
    await cluster.platform.handle('cascade.relay-open', async (request) => ({
      ok: true,
      relayId: `relay-${request.callId}`,
      host: '127.0.0.1',
      port: 31000,
      ssrc: request.offer.ssrc,
    }));
    const relayCloses: string[] = [];
    await cluster.platform.handle('cascade.relay-close', async ({ relayId }) => {
      relayCloses.push(relayId);
      return { ok: true };
    });
    await cluster.start('gw-e');
    await cluster.start('gw-f');
    // Where the holder's link registered from (its cascade port): the upper's requests go there.
    const registeredFrom = () =>
      [...upper.received]
        .reverse()
        .find((r) => r.request.method === 'REGISTER' && r.request.headers.has('Authorization'))?.context
        .remote;
    const holderAddress = await waitFor(registeredFrom, { what: 'the link registered', timeoutMs: 30_000 });
    const holder = await waitFor(
      async () => (await cluster.leases.holder(`${SIP_ID}:upper:upper-1`))?.holder,
      {
        what: 'the upper lease holder',
      },
    );
    const gatewayAt = { transport: 'udp' as const, address: '127.0.0.1', port: holderAddress.port };

    // The upper subscribes to our catalog and plays a channel, both at the holder.
    const leg = new RequestBuilder({
      from: `sip:${UPPER_ID}@${UPPER_DOMAIN}`,
      to: `sip:${LOCAL_ID}@${UPPER_DOMAIN}`,
      contact: `sip:${UPPER_ID}@127.0.0.1:${upper.port}`,
    });
    const subscribe = (expires: string, toTag?: string) =>
      leg.build('SUBSCRIBE', {
        uri: `sip:${LOCAL_ID}@${UPPER_DOMAIN}`,
        toTag,
        headers: [
          ['Event', 'Catalog;id=7'],
          ['Expires', expires],
        ],
      });
    const subscribed = await upper.endpoint.request(subscribe('600'), gatewayAt);
    expect(subscribed.status).toBe(200);
    const ourTag = /tag=([^;]+)/.exec(subscribed.headers.get('To') ?? '')?.[1];
    const changed = async () =>
      cluster.platform.publish('inventory.channel-changed', {
        deviceId: DEVICE,
        channelId: DEVICE,
        event: 'OFF',
        item: null,
        at: new Date().toISOString(),
      });
    await changed();
    const first = await waitFor(() => upper.requests('NOTIFY')[0], { what: "the holder's NOTIFY" });
    const relayLeg = new RequestBuilder({
      from: `sip:${UPPER_ID}@${UPPER_DOMAIN}`,
      to: `sip:${REMOTE_CHANNEL}@${UPPER_DOMAIN}`,
      contact: `sip:${UPPER_ID}@127.0.0.1:${upper.port}`,
    });
    const invite = relayLeg.build('INVITE', {
      uri: `sip:${REMOTE_CHANNEL}@${UPPER_DOMAIN}`,
      contentType: 'APPLICATION/SDP',
      body: [
        'v=0',
        `o=${UPPER_ID} 0 0 IN IP4 127.0.0.1`,
        's=Play',
        'c=IN IP4 127.0.0.1',
        't=0 0',
        'm=video 40000 RTP/AVP 96',
        'a=recvonly',
        'a=rtpmap:96 PS/90000',
        'y=0440100002',
        '',
      ].join('\r\n'),
    });
    const answered = await upper.endpoint.request(invite, gatewayAt);
    expect(answered.status).toBe(200);
    const relayTag = /tag=([^;]+)/.exec(answered.headers.get('To') ?? '')?.[1];
    const relayId = `relay-${invite.headers.get('Call-ID')}`;

    await cluster.kill(holder);
    const survivor = holder === 'gw-e' ? 'gw-f' : 'gw-e';
    const survivorAddress = await waitFor(
      () => {
        const from = registeredFrom();
        return from && from.port !== holderAddress.port ? from : undefined;
      },
      { what: 'the link registered by the survivor', timeoutMs: 30_000 },
    );
    expect((await cluster.leases.holder(`${SIP_ID}:upper:upper-1`))?.holder).toBe(survivor);
    const survivorAt = { transport: 'udp' as const, address: '127.0.0.1', port: survivorAddress.port };

    // The next catalog change reaches the upper in the same subscription dialog, our CSeq past the holder's.
    const notifiesBefore = upper.requests('NOTIFY').length;
    const next = await waitFor(
      async () => {
        await changed();
        return upper.requests('NOTIFY')[notifiesBefore];
      },
      { what: "the survivor's NOTIFY", timeoutMs: 15_000 },
    );
    expect(next.headers.get('Call-ID')).toBe(first.headers.get('Call-ID'));
    expect(next.headers.get('From')).toBe(first.headers.get('From'));
    expect(next.headers.get('To')).toBe(first.headers.get('To'));
    expect(Number.parseInt(next.headers.get('CSeq') ?? '', 10)).toBeGreaterThan(
      Number.parseInt(first.headers.get('CSeq') ?? '', 10),
    );
    expect(next.headers.get('Contact')).toContain(`:${survivorAddress.port}`);
    expect(decodeManscdp(next.body).message).toMatchObject({ kind: 'catalog-notify' });

    // The upper's refresh in that dialog, at the survivor: accepted, not 481.
    expect((await upper.endpoint.request(subscribe('600', ourTag), survivorAt)).status).toBe(200);

    // The upper hangs the relay up at the survivor: 200, the platform closes the relay, no record is left.
    const bye = relayLeg.build('BYE', { uri: `sip:${LOCAL_ID}@127.0.0.1`, toTag: relayTag });
    expect((await upper.endpoint.request(bye, survivorAt)).status).toBe(200);
    await waitFor(() => relayCloses.includes(relayId), { what: 'relay-close at the platform' });
    await waitFor(
      async () =>
        (await cluster.store.keys(`${SIP_ID}:dialog:${invite.headers.get('Call-ID')}:`)).length === 0,
      { what: "the relay's dialog record deleted" },
    );
    // Un-SUBSCRIBE: the subscription's record goes too.
    expect((await upper.endpoint.request(subscribe('0', ourTag), survivorAt)).status).toBe(200);
    await waitFor(async () => (await cluster.store.keys(`${SIP_ID}:dialog:${leg.callId}:`)).length === 0, {
      what: "the subscription's dialog record deleted",
    });
  }, 120_000);
});
