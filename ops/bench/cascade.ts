/**
 * Cascade benchmarks (issue 5), every tier a whole Tessera on its own PostgreSQL database, on loopback:
 *  - catalog: time for the city to learn a district's 10,000-channel catalog, from adding the upper link to the
 *    city listing every channel; reference in the same run: the district ingesting the same catalog itself.
 *  - hop: the extra first-frame time each cascade hop adds. The city plays a station camera nobody watches; the
 *    time each tier's ingest saw its first keyframe is sampled in-process every 2 ms. Camera → station is the
 *    reference (it includes waiting for the camera's keyframe); station → district and district → city are the
 *    hops (target < 200 ms each).
 *   pnpm exec tsx ops/bench/cascade.ts [--channels 10000] [--trials 6]
 */
import type { CatalogItem } from '@tessera/contracts';
import { createLogger } from '@tessera/kit';
import { createTestDatabase, percentile, type TestDatabase } from '@tessera/testkit';
import { createSimulatorEndpoint, planCity, Simulator } from '../src/simulator';
import { TesseraInstance } from '../src/tessera-instance';
import { machine, saveResult } from './support';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const channelCount = Number(arg('channels', '10000'));
const trials = Number(arg('trials', '6'));

const CITY_ID = '43010000002000000001';
const DISTRICT_ID = '43010200002000000001';
const STATION_ID = '43010200102000000001';
const PASSWORD = 'cascade-bench-password';
const ENV = {
  TESSERA_SIP_PASSWORD: PASSWORD,
  TESSERA_KEEPALIVE_INTERVAL_SEC: '5',
  TESSERA_PLAY_GRACE_MS: '500',
  TESSERA_PLAY_TIMEOUT_MS: '10000',
};
const logger = createLogger('bench-cascade', 'warn');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, everyMs = 50) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

function stats(values: number[]) {
  const round = (v: number) => Math.round(v * 10) / 10;
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: sorted.length,
    min: round(sorted[0] ?? Number.NaN),
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    max: round(sorted.at(-1) ?? Number.NaN),
  };
}

/** 50 NVRs of 200 cameras each (the size of a district's catalog), spread over the district's streets. */
function districtCatalog(count: number): { deviceId: string; items: CatalogItem[] }[] {
  const perNvr = 200;
  const nvrs: { deviceId: string; items: CatalogItem[] }[] = [];
  for (let n = 0; n * perNvr < count; n++) {
    const deviceId = `4301020100118${String(n + 1).padStart(7, '0')}`;
    const items: CatalogItem[] = [];
    for (let c = 0; c < perNvr && n * perNvr + c < count; c++) {
      const serial = n * perNvr + c + 1;
      items.push({
        id: `4301020100131${String(serial).padStart(7, '0')}`,
        kind: 'channel',
        name: `芙蓉区点位 ${serial}`,
        manufacturer: 'Hikvision',
        model: 'DS-2CD',
        owner: null,
        civilCode: `430102${String((serial % 13) + 1).padStart(3, '0')}`,
        block: null,
        address: `长沙市芙蓉区 ${serial} 号`,
        parental: false,
        parentId: deviceId,
        businessGroupId: null,
        registerWay: 1,
        secrecy: 0,
        ipAddress: null,
        port: null,
        status: 'online',
        longitude: 112.98 + (serial % 100) / 2000,
        latitude: 28.19 + Math.floor(serial / 100) / 2000,
        ptzType: 3,
      });
    }
    nvrs.push({ deviceId, items });
  }
  return nvrs;
}

async function channelTotal(instance: TesseraInstance): Promise<number> {
  const rows = await instance.api<unknown[]>('GET', '/api/v1/channels');
  return rows.body.length;
}

async function catalogBench(databases: TestDatabase[]) {
  const city = await TesseraInstance.start({
    sipId: CITY_ID,
    databaseUrl: databases[0]!.url,
    rtpPorts: '37000-37049',
    adminPassword: 'city-admin-password',
    logger,
    env: { ...ENV, TESSERA_CATALOG_TIMEOUT_MS: '60000' },
  });
  const district = await TesseraInstance.start({
    sipId: DISTRICT_ID,
    databaseUrl: databases[1]!.url,
    rtpPorts: '37050-37099',
    adminPassword: 'district-admin-password',
    logger,
    env: ENV,
  });
  try {
    // Reference: the district ingests the catalog its NVRs reported (bus events → PostgreSQL).
    const nvrs = districtCatalog(channelCount);
    const localStart = performance.now();
    for (const nvr of nvrs) {
      const at = new Date().toISOString();
      await district.bus.publish('device.registered', {
        deviceId: nvr.deviceId,
        transport: 'udp',
        remoteAddress: '127.0.0.1:5060',
        expiresSec: 3600,
        gbVersion: '2016',
        userAgent: 'bench',
        at,
      });
      await district.bus.publish('catalog.received', {
        deviceId: nvr.deviceId,
        sn: 1,
        sumNum: nvr.items.length,
        complete: true,
        items: nvr.items,
        at,
      });
    }
    await until(
      'the district lists every channel',
      async () => ((await channelTotal(district)) === channelCount ? true : undefined),
      60_000,
      100,
    );
    const localMs = performance.now() - localStart;

    const cascadeStart = performance.now();
    const upperId = await district.addUpper(city, {
      name: '长沙市局平台',
      password: PASSWORD,
      shareCivilCodes: ['4301'],
    });
    const registeredMs = await until(
      'link registered',
      async () => {
        const view = await district.api<{ link: { state: string } }>(
          'GET',
          `/api/v1/upper-platforms/${upperId}`,
        );
        return view.body.link.state === 'registered' ? performance.now() - cascadeStart : undefined;
      },
      30_000,
      20,
    );
    const learnedMs = await until(
      'the city lists every channel',
      async () =>
        (await channelTotal(city)) === channelCount ? performance.now() - cascadeStart : undefined,
      300_000,
      100,
    );
    return {
      channels: channelCount,
      districtLocalIngestMs: Math.round(localMs),
      cityLinkRegisteredMs: Math.round(registeredMs),
      cityLearnedCatalogMs: Math.round(learnedMs),
      ratioCascadeToLocal: Number((learnedMs / localMs).toFixed(2)),
      channelsPerSecond: Math.round(channelCount / (learnedMs / 1000)),
    };
  } finally {
    await district.close();
    await city.close();
  }
}

async function hopBench(databases: TestDatabase[]) {
  const tiers = {
    city: await TesseraInstance.start({
      sipId: CITY_ID,
      databaseUrl: databases[2]!.url,
      rtpPorts: '37100-37199',
      adminPassword: 'city-admin-password',
      logger,
      env: ENV,
    }),
    district: await TesseraInstance.start({
      sipId: DISTRICT_ID,
      databaseUrl: databases[3]!.url,
      rtpPorts: '37200-37299',
      adminPassword: 'district-admin-password',
      logger,
      env: ENV,
    }),
    station: await TesseraInstance.start({
      sipId: STATION_ID,
      databaseUrl: databases[4]!.url,
      rtpPorts: '37300-37399',
      adminPassword: 'station-admin-password',
      logger,
      env: ENV,
    }),
  };
  const { endpoint, port } = await createSimulatorEndpoint({});
  const simulator = new Simulator({
    endpoint,
    server: { id: STATION_ID, host: '127.0.0.1', port: tiers.station.gateway.port, transport: 'udp' },
    devices: planCity({ devices: trials, seed: 5, nvrShare: 0 }),
    password: PASSWORD,
    keepaliveIntervalSec: 5,
    logger,
    media: {
      host: '127.0.0.1',
      contact: { host: '127.0.0.1', port },
      video: { h264: { width: 640, height: 360 }, h265: { width: 640, height: 360 } },
    },
  });
  try {
    await simulator.start();
    await tiers.station.addUpper(tiers.district, {
      name: '芙蓉区',
      password: PASSWORD,
      shareCivilCodes: ['4301'],
    });
    await tiers.district.addUpper(tiers.city, {
      name: '长沙市',
      password: PASSWORD,
      shareCivilCodes: ['4301'],
    });
    const channels = simulator.devices.flatMap((d) => d.channels).filter((c) => c.codec === 'h264');
    await until(
      'the city sees the cameras online',
      async () => {
        const rows = (await tiers.city.api<{ status: string }[]>('GET', '/api/v1/channels?status=online'))
          .body;
        return rows.length >= channels.length ? true : undefined;
      },
      60_000,
      200,
    );
    const direct: number[] = [];
    const hop1: number[] = [];
    const hop2: number[] = [];
    const api: number[] = [];
    for (const channel of channels) {
      const start = performance.now();
      const seen: Partial<Record<keyof typeof tiers, number>> = {};
      const sampler = setInterval(() => {
        for (const [name, tier] of Object.entries(tiers) as [keyof typeof tiers, TesseraInstance][]) {
          if (seen[name] !== undefined) continue;
          const ingest = tier.media.snapshot().find((i) => i.channelId === channel.channelId);
          if (ingest && ingest.stats.keyframes > 0) seen[name] = performance.now() - start;
        }
      }, 2);
      const answer = await tiers.city.api<{ codec: string }>(
        'POST',
        `/api/v1/channels/${channel.channelId}/play`,
      );
      api.push(performance.now() - start);
      await until(
        'every tier saw a keyframe',
        async () => (seen.city !== undefined ? true : undefined),
        5_000,
        5,
      );
      clearInterval(sampler);
      if (answer.status !== 200) throw new Error(`play ${channel.channelId}: ${answer.status}`);
      const { station, district, city } = seen as Record<keyof typeof tiers, number>;
      direct.push(station);
      hop1.push(district - station);
      hop2.push(city - district);
      process.stdout.write(
        `${channel.channelId}: station ${station.toFixed(0)} ms, +district ${(district - station).toFixed(0)} ms, +city ${(city - district).toFixed(0)} ms\n`,
      );
    }
    const hops = [...hop1, ...hop2];
    return {
      trials: channels.length,
      cameraToStationMs: stats(direct),
      stationToDistrictMs: stats(hop1),
      districtToCityMs: stats(hop2),
      perHopMs: stats(hops),
      cityPlayApiMs: stats(api),
      ratioHopToDirect: Number((percentile(hops, 50) / percentile(direct, 50)).toFixed(3)),
    };
  } finally {
    await simulator.stop();
    await endpoint.close();
    for (const tier of Object.values(tiers)) await tier.close();
  }
}

async function main(): Promise<void> {
  const databases: TestDatabase[] = [];
  for (let i = 0; i < 5; i++) databases.push(await createTestDatabase());
  try {
    const catalog = await catalogBench(databases);
    console.log('catalog', catalog);
    const hop = await hopBench(databases);
    const result = {
      machine: machine(),
      at: new Date().toISOString(),
      catalog,
      hop,
      targets: 'per-hop first-frame < 200 ms on loopback',
    };
    const file = saveResult('cascade', result);
    console.log(JSON.stringify(result, null, 2));
    console.log(`saved ${file}`);
  } finally {
    for (const database of databases) await database.drop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
