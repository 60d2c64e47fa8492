import { Inject, Injectable } from '@nestjs/common';
import type { AuthContext } from '../auth/auth-context';
import type { OnlineRate, Outage, OutageHealth } from '@tessera/contracts/api';
import { asChannelId, asDeviceId } from '@tessera/contracts';
import { type OutageRow, OutageRepository } from '../repositories/outage.repository';
import { civilCodeOrNull } from './mappers';

const DOME = 1;
const REMOTE_CONTROL_BULLET = 4;

/**
 * The repair list (Changsha Measures art. 23: faults repaired at once): every camera that is down, with why and
 * since when, longest outage first, PTZ cameras first among equals; and the online rate (在线率) per district.
 */
@Injectable()
export class OutageService {
  constructor(@Inject(OutageRepository) private readonly outages: OutageRepository) {}

  async list(auth: AuthContext, now = Date.now()): Promise<Outage[]> {
    const rows = await this.outages.outages(auth.jurisdiction);
    return rows
      .map((row) => toOutage(row, now))
      .sort(
        (a, b) =>
          Date.parse(a.since) - Date.parse(b.since) ||
          b.importance - a.importance ||
          a.channelId.localeCompare(b.channelId),
      );
  }

  async onlineRate(auth: AuthContext): Promise<OnlineRate> {
    const rows = await this.outages.districtCounts(auth.jurisdiction);
    const districts = rows.map((r) => ({
      code: civilCodeOrNull(r.district_code),
      name: r.district_name,
      total: r.total,
      online: r.online,
      faulty: r.faulty,
      onlineRate: rate(r.online, r.total),
    }));
    const total = districts.reduce((n, d) => n + d.total, 0);
    const online = districts.reduce((n, d) => n + d.online, 0);
    const faulty = districts.reduce((n, d) => n + d.faulty, 0);
    return { city: { total, online, faulty, onlineRate: rate(online, total) }, districts };
  }
}

function rate(online: number, total: number): number {
  return total === 0 ? 1 : Math.round((online / total) * 10_000) / 10_000;
}

function toOutage(row: OutageRow, now: number): Outage {
  let health: OutageHealth;
  let reason: string;
  let since: Date;
  if (row.device_status === 'offline') {
    health = 'offline';
    reason = row.device_offline_reason ?? 'device-offline';
    since = row.device_offline_at ?? row.health_changed_at;
  } else if (row.reported_status === 'offline') {
    health = 'offline';
    reason = row.last_event === 'OFF' ? 'OFF' : 'reported-offline';
    since = row.health_changed_at;
  } else if (row.last_event === 'VLOST') {
    health = 'no-video';
    reason = 'VLOST';
    since = row.health_changed_at;
  } else {
    health = 'fault';
    reason = row.last_event ?? 'DEFECT';
    since = row.health_changed_at;
  }
  // A camera that was already down when its device dropped has been down since the earlier moment.
  if (row.device_status === 'offline' && row.reported_status === 'offline' && row.health_changed_at < since) {
    since = row.health_changed_at;
  }
  return {
    channelId: asChannelId(row.channel_id),
    deviceId: asDeviceId(row.device_id),
    name: row.name,
    civilCode: civilCodeOrNull(row.civil_code),
    districtCode: civilCodeOrNull(row.district_code),
    districtName: row.district_name,
    address: row.address,
    longitude: row.longitude,
    latitude: row.latitude,
    health,
    reason,
    since: since.toISOString(),
    downSeconds: Math.max(0, Math.floor((now - since.getTime()) / 1000)),
    lastSeenAt: row.last_keepalive_at?.toISOString() ?? null,
    importance: row.ptz_type === DOME || row.ptz_type === REMOTE_CONTROL_BULLET ? 2 : 1,
  };
}
