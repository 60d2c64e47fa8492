import { Inject, Injectable } from '@nestjs/common';
import type { UpperLinkState } from '@tessera/contracts';
import { type Kysely, sql } from 'kysely';
import type { Channel, DB, OnlineStatus, UpperPlatform } from '../schema/tables';
import { KYSELY } from '../tokens';
import { subtreePattern } from './jurisdiction.query';

/** The columns an admin writes; link state is the gateway's. */
export interface UpperPlatformWrite {
  name: string;
  sip_id: string;
  domain: string;
  host: string;
  port: number;
  transport: 'udp' | 'tcp';
  local_id: string | null;
  password_sealed: string | null;
  register_expires_sec: number;
  keepalive_interval_sec: number;
  keepalive_count: number;
  charset: 'gb2312' | 'gb18030' | 'utf-8';
  enabled: boolean;
  share_civil_codes: string[];
  share_device_ids: string[];
  share_channel_ids: string[];
  remap: string;
  platform_channel_id: string | null;
}

export interface UpperLinkWrite {
  state: UpperLinkState;
  detail: string | null;
  retryAt: string | null;
  at: string;
}

/** A camera shared with an upper, with what the catalog item needs. */
export type SharedChannelRow = Pick<
  Channel,
  | 'device_id'
  | 'channel_id'
  | 'name'
  | 'manufacturer'
  | 'model'
  | 'owner'
  | 'civil_code'
  | 'block'
  | 'address'
  | 'longitude'
  | 'latitude'
  | 'ptz_type'
  | 'secrecy'
  | 'parent_id'
  | 'business_group_id'
> & { status: OnlineStatus };

/** A business group (215) or virtual organisation (216) a lower device or platform reported. */
export type GroupNodeRow = Pick<
  Channel,
  'device_id' | 'channel_id' | 'kind' | 'name' | 'parent_id' | 'business_group_id'
>;

type ShareRules = Pick<UpperPlatform, 'share_civil_codes' | 'share_device_ids' | 'share_channel_ids'>;

@Injectable()
export class UpperPlatformRepository {
  constructor(@Inject(KYSELY) private readonly db: Kysely<DB>) {}

  list(): Promise<UpperPlatform[]> {
    return this.db.selectFrom('upper_platform').selectAll().orderBy('name').execute();
  }

  get(id: string): Promise<UpperPlatform | undefined> {
    return this.db.selectFrom('upper_platform').selectAll().where('id', '=', id).executeTakeFirst();
  }

  create(row: UpperPlatformWrite): Promise<UpperPlatform> {
    return this.db
      .insertInto('upper_platform')
      .values({ ...row, link_state: row.enabled ? 'registering' : 'disabled' })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  update(id: string, row: UpperPlatformWrite): Promise<UpperPlatform | undefined> {
    return this.db
      .updateTable('upper_platform')
      .set({ ...row, updated_at: sql`now()` })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('upper_platform').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Records a link report unless a newer one is already there (bus events may arrive out of order). */
  async recordLink(id: string, link: UpperLinkWrite): Promise<boolean> {
    const result = await this.db
      .updateTable('upper_platform')
      .set({
        link_state: link.state,
        link_detail: link.detail,
        link_retry_at: link.retryAt,
        link_changed_at: link.at,
      })
      .where('id', '=', id)
      .where((eb) =>
        eb.or([eb('link_changed_at', 'is', null), eb('link_changed_at', '<=', new Date(link.at))]),
      )
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** The cameras an upper's rules select, with their effective status, in a stable order. */
  sharedChannels(rules: ShareRules, onlyChannelIds?: readonly string[]): Promise<SharedChannelRow[]> {
    if (!hasRules(rules) || onlyChannelIds?.length === 0) return Promise.resolve([]);
    let query = this.db
      .selectFrom('channel as c')
      .innerJoin('device as d', 'd.device_id', 'c.device_id')
      .select([
        'c.device_id',
        'c.channel_id',
        'c.name',
        'c.manufacturer',
        'c.model',
        'c.owner',
        'c.civil_code',
        'c.block',
        'c.address',
        'c.longitude',
        'c.latitude',
        'c.ptz_type',
        'c.secrecy',
        'c.parent_id',
        'c.business_group_id',
        sql<OnlineStatus>`case when d.status = 'online' and c.reported_status = 'online' then 'online' else 'offline' end`.as(
          'status',
        ),
      ])
      .where('c.kind', '=', 'channel')
      .where((eb) =>
        eb.or([
          ...rules.share_civil_codes.map((code) => eb('c.civil_code', 'like', subtreePattern(code))),
          ...(rules.share_device_ids.length ? [eb('c.device_id', 'in', rules.share_device_ids)] : []),
          ...(rules.share_channel_ids.length ? [eb('c.channel_id', 'in', rules.share_channel_ids)] : []),
        ]),
      )
      .orderBy('c.civil_code')
      .orderBy('c.channel_id');
    if (onlyChannelIds) query = query.where('c.channel_id', 'in', [...onlyChannelIds]);
    return query.execute();
  }

  /** A camera by its channel ID with what a shared catalog item needs (the channel an upper's config names). */
  async namedChannel(channelId: string): Promise<SharedChannelRow | undefined> {
    const rules = { share_civil_codes: [], share_device_ids: [], share_channel_ids: [channelId] };
    const [row] = await this.sharedChannels(rules, [channelId]);
    return row;
  }

  /** Count of shared cameras per upper, for the list view. */
  async sharedCount(rules: ShareRules): Promise<number> {
    if (!hasRules(rules)) return 0;
    const row = await this.db
      .selectFrom('channel as c')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('c.kind', '=', 'channel')
      .where((eb) =>
        eb.or([
          ...rules.share_civil_codes.map((code) => eb('c.civil_code', 'like', subtreePattern(code))),
          ...(rules.share_device_ids.length ? [eb('c.device_id', 'in', rules.share_device_ids)] : []),
          ...(rules.share_channel_ids.length ? [eb('c.channel_id', 'in', rules.share_channel_ids)] : []),
        ]),
      )
      .executeTakeFirstOrThrow();
    return row.n;
  }

  /** The 215/216 nodes with these IDs that the given devices reported (the groups shared cameras sit in). */
  groupNodes(deviceIds: string[], ids: string[]): Promise<GroupNodeRow[]> {
    if (deviceIds.length === 0 || ids.length === 0) return Promise.resolve([]);
    return this.db
      .selectFrom('channel')
      .select(['device_id', 'channel_id', 'kind', 'name', 'parent_id', 'business_group_id'])
      .where('kind', 'in', ['business-group', 'virtual-org'])
      .where('device_id', 'in', deviceIds)
      .where('channel_id', 'in', ids)
      .orderBy('channel_id')
      .execute();
  }

  /** Names of civil areas by code (the tree nodes a shared catalog carries). */
  async areaNames(codes: string[]): Promise<Map<string, string>> {
    if (codes.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('civil_area')
      .select(['code', 'name'])
      .where('code', 'in', codes)
      .execute();
    return new Map(rows.map((r) => [r.code, r.name]));
  }
}

function hasRules(rules: ShareRules): boolean {
  return (
    rules.share_civil_codes.length > 0 ||
    rules.share_device_ids.length > 0 ||
    rules.share_channel_ids.length > 0
  );
}
