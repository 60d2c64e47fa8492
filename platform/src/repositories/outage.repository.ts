import { Inject, Injectable } from '@nestjs/common';
import { type Kysely, sql } from 'kysely';
import type { Jurisdiction } from '../auth/auth-context';
import type { DB } from '../schema/tables';
import { KYSELY } from '../tokens';
import { subtreePattern } from './jurisdiction.query';

export interface OutageRow {
  channel_id: string;
  device_id: string;
  name: string;
  civil_code: string | null;
  address: string | null;
  longitude: number | null;
  latitude: number | null;
  ptz_type: number | null;
  device_status: 'online' | 'offline';
  device_offline_at: Date | null;
  device_offline_reason: string | null;
  last_keepalive_at: Date | null;
  reported_status: 'online' | 'offline';
  last_event: string | null;
  health_changed_at: Date;
  district_code: string | null;
  district_name: string | null;
}

export interface DistrictCountRow {
  district_code: string | null;
  district_name: string | null;
  total: number;
  online: number;
  faulty: number;
}

/** Cameras (kind 'channel') in their first 6 civil-code digits: the district/county (GB/T 2260). */
const districtCode = sql<string | null>`substring(c.civil_code from 1 for 6)`;

@Injectable()
export class OutageRepository {
  constructor(@Inject(KYSELY) private readonly db: Kysely<DB>) {}

  /** Every camera needing repair: its device offline, it reports OFF, or it reported VLOST / DEFECT. */
  outages(jurisdiction: Jurisdiction): Promise<OutageRow[]> {
    let query = this.db
      .selectFrom('channel as c')
      .innerJoin('device as d', 'd.device_id', 'c.device_id')
      .leftJoin('civil_area as ca', (join) => join.on('ca.code', '=', districtCode))
      .select([
        'c.channel_id',
        'c.device_id',
        'c.name',
        'c.civil_code',
        'c.address',
        'c.longitude',
        'c.latitude',
        'c.ptz_type',
        'd.status as device_status',
        'd.offline_at as device_offline_at',
        'd.offline_reason as device_offline_reason',
        'd.last_keepalive_at',
        'c.reported_status',
        'c.last_event',
        'c.health_changed_at',
        districtCode.as('district_code'),
        'ca.name as district_name',
      ])
      .where('c.kind', '=', 'channel')
      .where((eb) =>
        eb.or([
          eb('d.status', '=', 'offline'),
          eb('c.reported_status', '=', 'offline'),
          eb('c.last_event', 'in', ['VLOST', 'DEFECT']),
        ]),
      );
    if (jurisdiction.kind === 'subtree') {
      query = query.where('c.civil_code', 'like', subtreePattern(jurisdiction.civilCode));
    }
    return query.execute();
  }

  /** Cameras and how many are online, per district, within the jurisdiction. */
  districtCounts(jurisdiction: Jurisdiction): Promise<DistrictCountRow[]> {
    let query = this.db
      .selectFrom('channel as c')
      .innerJoin('device as d', 'd.device_id', 'c.device_id')
      .leftJoin('civil_area as ca', (join) => join.on('ca.code', '=', districtCode))
      .select([
        districtCode.as('district_code'),
        'ca.name as district_name',
        sql<number>`count(*)::int`.as('total'),
        sql<number>`(count(*) filter (where d.status = 'online' and c.reported_status = 'online'))::int`.as(
          'online',
        ),
        sql<number>`(count(*) filter (where d.status = 'offline' or c.reported_status = 'offline' or c.last_event in ('VLOST', 'DEFECT')))::int`.as(
          'faulty',
        ),
      ])
      .where('c.kind', '=', 'channel')
      .groupBy([districtCode, 'ca.name']);
    if (jurisdiction.kind === 'subtree') {
      query = query.where('c.civil_code', 'like', subtreePattern(jurisdiction.civilCode));
    }
    return query.orderBy(districtCode).execute();
  }
}
