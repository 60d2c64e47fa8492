import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createLogger } from '@tessera/kit';
import { createTestDatabase, launchChromium, type TestDatabase, waitFor } from '@tessera/testkit';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulatorEndpoint, planCity, type SimulatedChannel, Simulator } from '../src/simulator';
import { TesseraInstance } from '../src/tessera-instance';

const logger = createLogger('e2e-cascade', process.env.TESSERA_TEST_LOG ?? 'silent');
const PLAYER = readFileSync(join(__dirname, 'fixtures/whep-player.html'));

/** 长沙市 (city), 芙蓉区 (district), 文艺路派出所 (station): type 200 IDs under their civil codes. */
const CITY_ID = '43010000002000000001';
const DISTRICT_ID = '43010200002000000001';
const STATION_ID = '43010200102000000001';
const LINK_PASSWORD = 'cascade-link-password';

/** Short timings so a camera going offline crosses three tiers well inside a minute. */
const TIMINGS = {
  TESSERA_KEEPALIVE_INTERVAL_SEC: '2',
  TESSERA_KEEPALIVE_COUNT: '3',
  TESSERA_KEEPALIVE_REPORT_SEC: '1',
  TESSERA_PLAY_TIMEOUT_MS: '8000',
  TESSERA_PLAY_GRACE_MS: '1500',
  TESSERA_SIP_PASSWORD: LINK_PASSWORD,
};

interface ChannelRow {
  channelId: string;
  deviceId: string;
  name: string;
  civilCode: string | null;
  status: string;
}

interface DeviceRow {
  deviceId: string;
  status: string;
  lastKeepaliveAt: string | null;
}

interface UpperView {
  id: string;
  link: { state: string; detail: string | null };
}

interface Player {
  play(url: string, token: string): Promise<{ status: number }>;
  leave(): Promise<void>;
  stats(): Promise<{ framesDecoded: number }>;
  luma(): { mean: number; spread: number };
}

/**
 * The Changsha Measures' three tiers on one machine: a police station, its district and the city, each a whole
 * Tessera with its own database, cascaded over GB/T 28181. Cameras register only at the station; the city sees,
 * plays and steers them through two hops.
 */
describe('station → district → city cascade', () => {
  const databases: TestDatabase[] = [];
  let city: TesseraInstance;
  let district: TesseraInstance;
  let station: TesseraInstance;
  let simulator: Simulator;
  let closeEndpoint: () => Promise<void>;
  let channels: SimulatedChannel[];
  let pageServer: Server;
  let pageUrl: string;
  let browser: Browser;

  const startStation = () =>
    TesseraInstance.start({
      sipId: STATION_ID,
      databaseUrl: databases[2]!.url,
      rtpPorts: '36200-36299',
      adminPassword: 'station-admin-password',
      logger: logger.child({ tier: 'station' }),
      sipPort: station?.gateway.port,
      env: TIMINGS,
    });

  const cityChannels = async () => (await city.api<ChannelRow[]>('GET', '/api/v1/channels')).body;

  beforeAll(async () => {
    for (let i = 0; i < 3; i++) databases.push(await createTestDatabase());
    city = await TesseraInstance.start({
      sipId: CITY_ID,
      databaseUrl: databases[0]!.url,
      rtpPorts: '36000-36099',
      adminPassword: 'city-admin-password',
      logger: logger.child({ tier: 'city' }),
      env: TIMINGS,
    });
    district = await TesseraInstance.start({
      sipId: DISTRICT_ID,
      databaseUrl: databases[1]!.url,
      rtpPorts: '36100-36199',
      adminPassword: 'district-admin-password',
      logger: logger.child({ tier: 'district' }),
      env: TIMINGS,
    });
    station = await startStation();

    const { endpoint, port } = await createSimulatorEndpoint({});
    closeEndpoint = () => endpoint.close();
    simulator = new Simulator({
      endpoint,
      server: { id: STATION_ID, host: '127.0.0.1', port: station.gateway.port, transport: 'udp' },
      devices: planCity({ devices: 6, seed: 5, nvrShare: 0 }),
      password: LINK_PASSWORD,
      keepaliveIntervalSec: 2,
      logger,
      media: {
        host: '127.0.0.1',
        contact: { host: '127.0.0.1', port },
        video: { h264: { width: 640, height: 360 }, h265: { width: 640, height: 360 } },
      },
    });
    channels = simulator.devices.flatMap((d) => d.channels);
    // The links come up before any camera registers: every camera then reaches the city as a catalog ADD passed
    // up two tiers, not in a first full catalog query.
    await station.addUpper(district, {
      name: '芙蓉区分局平台',
      password: LINK_PASSWORD,
      shareCivilCodes: ['4301'],
    });
    await district.addUpper(city, {
      name: '长沙市局平台',
      password: LINK_PASSWORD,
      shareCivilCodes: ['4301'],
    });
    await waitFor(
      async () => {
        const [up1] = (await station.api<UpperView[]>('GET', '/api/v1/upper-platforms')).body;
        const [up2] = (await district.api<UpperView[]>('GET', '/api/v1/upper-platforms')).body;
        return up1?.link.state === 'registered' && up2?.link.state === 'registered' ? true : undefined;
      },
      { what: 'both links registered', timeoutMs: 30_000, intervalMs: 100 },
    );
    // Each upper has asked for the (still empty) catalog and subscribed before the cameras come.
    await waitFor(
      async () =>
        (await city.api<unknown[]>('GET', '/api/v1/devices')).body.length === 1 ? true : undefined,
      { what: 'the district known at the city', timeoutMs: 10_000 },
    );
    await new Promise((r) => setTimeout(r, 1_000));
    await simulator.start();

    pageServer = createServer((_, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end(PLAYER));
    await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
    pageUrl = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}/`;
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    pageServer?.close();
    await simulator?.stop();
    await closeEndpoint?.();
    for (const instance of [city, district, station]) await instance?.close().catch(() => undefined);
    for (const database of databases) await database.drop();
  });

  it('an upper password is stored encrypted, never crosses the bus, and the link still registers', async () => {
    // The links above came up with LINK_PASSWORD checked by the district's and the city's registrars; the
    // station's gateway digested with HA1 the platform computed for the district's realm (cascade.upper-ha1).
    const [link] = (await station.api<UpperView[]>('GET', '/api/v1/upper-platforms')).body;
    expect(link?.link.state).toBe('registered');
    const { uppers } = await station.bus.request('cascade.uppers', {}, { timeoutMs: 5_000 });
    expect(uppers).toHaveLength(1);
    expect(JSON.stringify(uppers)).not.toContain(LINK_PASSWORD);
  });

  it('the city learns every camera registering at the station, with its name and civil code, under the district', async () => {
    const seen = await waitFor(
      async () => {
        const rows = await cityChannels();
        return rows.length === channels.length && rows.every((r) => r.status === 'online') ? rows : undefined;
      },
      { what: 'the city sees every camera online', timeoutMs: 45_000, intervalMs: 500 },
    );
    const atStation = (await station.api<ChannelRow[]>('GET', '/api/v1/channels')).body;
    const byId = new Map(atStation.map((r) => [r.channelId, r]));
    for (const row of seen) {
      const original = byId.get(row.channelId);
      expect(original, row.channelId).toBeDefined();
      expect([row.name, row.civilCode]).toEqual([original?.name, original?.civilCode]);
      // At the city every camera hangs under the district platform, which is one device there.
      expect(row.deviceId).toBe(DISTRICT_ID);
    }
    // The district sees them under the station.
    const atDistrict = (await district.api<ChannelRow[]>('GET', '/api/v1/channels')).body;
    expect(new Set(atDistrict.map((r) => r.deviceId))).toEqual(new Set([STATION_ID]));
  }, 90_000);

  it('the city plays a station camera in Chromium through two hops, with one INVITE to the camera', async () => {
    const target = channels.find((c) => c.codec === 'h264')!;
    const answer = await city.api<{ whepUrl: string; token: string; codec: string }>(
      'POST',
      `/api/v1/channels/${target.channelId}/play`,
    );
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.codec).toBe('h264');
    const page = await browser.newPage();
    await page.goto(pageUrl);
    const result = await page.evaluate(
      ([url, t]) => (globalThis as unknown as Player).play(url!, t!),
      [answer.body.whepUrl, answer.body.token],
    );
    expect(result.status).toBe(201);
    const first = await waitFor(
      async () => {
        const s = await page.evaluate(() => (globalThis as unknown as Player).stats());
        return s.framesDecoded > 5 ? s : undefined;
      },
      { what: 'frames decoded at the city', timeoutMs: 20_000, intervalMs: 100 },
    );
    await waitFor(
      async () => {
        const s = await page.evaluate(() => (globalThis as unknown as Player).stats());
        return s.framesDecoded > first.framesDecoded + 10 ? true : undefined;
      },
      { what: 'frames keep coming', timeoutMs: 10_000, intervalMs: 100 },
    );
    const luma = await page.evaluate(() => (globalThis as unknown as Player).luma());
    expect(luma.mean).toBeGreaterThan(20);
    expect(luma.spread).toBeGreaterThan(10);
    // The district watching the same camera too does not make a second upstream at the station.
    const local = await district.api<{ shared: boolean }>(
      'POST',
      `/api/v1/channels/${target.channelId}/play`,
    );
    expect(local.status).toBe(200);
    expect(local.body.shared).toBe(true);
    expect(simulator.media.sessions().filter((s) => s.channelId === target.channelId)).toHaveLength(1);

    await page.evaluate(() => (globalThis as unknown as Player).leave());
    await page.close();
    // Every tier's grace period runs out in turn; then the camera is hung up.
    await waitFor(() => simulator.media.sessions().every((s) => s.channelId !== target.channelId), {
      what: 'BYE reaches the camera after the city stopped watching',
      timeoutMs: 30_000,
    });
  }, 90_000);

  it('PTZ from the city reaches the camera at the station unchanged', async () => {
    const target = channels.find((c) => c.ptzType === 1);
    if (!target) throw new Error('the seeded city has no dome camera');
    const before = simulator.ptzLog.length;
    const sent = await city.api<{ ptzCmd: string }>('POST', `/api/v1/channels/${target.channelId}/ptz`, {
      type: 'move',
      direction: 'left',
      panSpeed: 0x60,
      tiltSpeed: 0x20,
    });
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    const logged = await waitFor(
      () => simulator.ptzLog.slice(before).find((entry) => entry.channelId === target.channelId),
      { what: 'PTZCmd at the camera', timeoutMs: 10_000 },
    );
    expect(logged.hex.toUpperCase()).toBe(sent.body.ptzCmd.toUpperCase());
    expect(logged.command).toMatchObject({
      type: 'move',
      direction: 'left',
      panSpeed: 0x60,
      tiltSpeed: 0x20,
    });
  }, 30_000);

  it('a camera going silent at the station shows offline at the city within a minute, and back online', async () => {
    const device = simulator.devices[1]!;
    const channelIds = new Set(device.channels.map((c) => c.channelId));
    const started = Date.now();
    simulator.pauseKeepalives(device.deviceId);
    await waitFor(
      async () => {
        const rows = (await cityChannels()).filter((r) => channelIds.has(r.channelId));
        return rows.length === channelIds.size && rows.every((r) => r.status === 'offline')
          ? true
          : undefined;
      },
      { what: 'offline at the city', timeoutMs: 60_000, intervalMs: 250 },
    );
    const tookMs = Date.now() - started;
    expect(tookMs).toBeLessThan(60_000);
    simulator.pauseKeepalives(device.deviceId, false);
    await waitFor(
      async () => {
        const rows = (await cityChannels()).filter((r) => channelIds.has(r.channelId));
        return rows.every((r) => r.status === 'online') ? true : undefined;
      },
      { what: 'online again at the city', timeoutMs: 60_000, intervalMs: 250 },
    );
  }, 150_000);

  it('the station restarting does not lose the city’s view of the tree', async () => {
    const before = await cityChannels();
    expect(before).toHaveLength(channels.length);
    await station.close();
    // The station is gone: its cameras are unreachable at the city, not deleted.
    await waitFor(
      async () => {
        const rows = await cityChannels();
        return rows.length === channels.length && rows.every((r) => r.status === 'offline')
          ? true
          : undefined;
      },
      { what: 'unreachable (offline) but listed at the city', timeoutMs: 60_000, intervalMs: 250 },
    );
    station = await startStation();
    await waitFor(
      async () => {
        const rows = await cityChannels();
        return rows.length === channels.length && rows.every((r) => r.status === 'online') ? true : undefined;
      },
      { what: 'the city sees every camera online after the restart', timeoutMs: 90_000, intervalMs: 500 },
    );
    const after = await cityChannels();
    expect(after.map((r) => [r.channelId, r.name, r.civilCode]).sort()).toEqual(
      before.map((r) => [r.channelId, r.name, r.civilCode]).sort(),
    );
  }, 180_000);

  it('each upper tier stores the keepalives of its lower platform', async () => {
    // A link keeps alive every 5 s (TesseraInstance.addUpper) and the inventory writes keepalives in batches, so the
    // first one is stored some seconds after a (re-)registration; until then lastKeepaliveAt is null.
    for (const [upper, lowerId] of [
      [district, STATION_ID],
      [city, DISTRICT_ID],
    ] as const) {
      const row = await waitFor(
        async () => {
          const { body } = await upper.api<DeviceRow>('GET', `/api/v1/devices/${lowerId}`);
          return body.lastKeepaliveAt !== null ? body : undefined;
        },
        { what: `a keepalive of ${lowerId} stored`, timeoutMs: 30_000, intervalMs: 250 },
      );
      expect(row.status).toBe('online');
    }
  }, 60_000);
});
