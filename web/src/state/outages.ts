import type { ChannelId } from '../api/types';
import { districtCodeOf } from './areas';
import type { CameraStore } from './camera-store';
import { HEALTH_CODE, type Health, healthOfCode } from './health';

export interface OutageRow {
  index: number;
  channelId: ChannelId;
  name: string;
  health: Health;
  districtCode: string | null;
  address: string | null;
  /** When it went down (ms), null when unknown. */
  downSince: number | null;
  /** When its device was last heard from (ms), null when never. */
  lastSeen: number | null;
}

/** Every camera that is not delivering video, the longest down first; unknown down-times last. */
export function listOutages(store: CameraStore): OutageRow[] {
  const rows: OutageRow[] = [];
  const { health, downSince, channels } = store;
  for (let i = 0; i < health.length; i++) {
    const code = health[i];
    if (code !== HEALTH_CODE.offline && code !== HEALTH_CODE['no-video']) continue;
    const channel = channels[i]!;
    const since = downSince[i]!;
    const seen = store.lastSeenAt(i);
    rows.push({
      index: i,
      channelId: channel.channelId,
      name: channel.name,
      health: healthOfCode(code),
      districtCode: districtCodeOf(channel.civilCode),
      address: channel.address,
      downSince: Number.isFinite(since) ? since : null,
      lastSeen: Number.isFinite(seen) ? seen : null,
    });
  }
  rows.sort((a, b) => {
    if (a.downSince === null || b.downSince === null) {
      if (a.downSince !== b.downSince) return a.downSince === null ? 1 : -1;
    } else if (a.downSince !== b.downSince) return a.downSince - b.downSince;
    return a.channelId < b.channelId ? -1 : a.channelId > b.channelId ? 1 : 0;
  });
  return rows;
}

export interface AreaHealthStats {
  /** District code; null for the city total and for cameras without a civil code. */
  code: string | null;
  total: number;
  online: number;
  offline: number;
  noVideo: number;
  degraded: number;
}

/** 在线率: cameras delivering video over all cameras (NaN when there are none). */
export function onlineRate(stats: AreaHealthStats): number {
  return stats.total === 0 ? Number.NaN : (stats.online + stats.degraded) / stats.total;
}

function emptyStats(code: string | null): AreaHealthStats {
  return { code, total: 0, online: 0, offline: 0, noVideo: 0, degraded: 0 };
}

function count(stats: AreaHealthStats, code: number): void {
  stats.total += 1;
  if (code === HEALTH_CODE.online) stats.online += 1;
  else if (code === HEALTH_CODE.offline) stats.offline += 1;
  else if (code === HEALTH_CODE['no-video']) stats.noVideo += 1;
  else if (code === HEALTH_CODE.degraded) stats.degraded += 1;
}

/** Counts per district (sorted by code, cameras without a district last) and for the whole jurisdiction. */
export function healthStats(store: CameraStore): { city: AreaHealthStats; districts: AreaHealthStats[] } {
  const city = emptyStats(null);
  const byDistrict = new Map<string | null, AreaHealthStats>();
  const { health, channels } = store;
  for (let i = 0; i < health.length; i++) {
    const code = health[i]!;
    const district = districtCodeOf(channels[i]!.civilCode);
    let stats = byDistrict.get(district);
    if (!stats) {
      stats = emptyStats(district);
      byDistrict.set(district, stats);
    }
    count(stats, code);
    count(city, code);
  }
  const districts = [...byDistrict.values()].sort((a, b) => {
    if (a.code === null || b.code === null) return a.code === null ? 1 : -1;
    return a.code.localeCompare(b.code);
  });
  return { city, districts };
}
