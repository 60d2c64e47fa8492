import { Inject, Injectable } from '@nestjs/common';
import type { CatalogChange, CatalogItem } from '@tessera/contracts';
import { gbDeviceKind } from '@tessera/contracts';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Jurisdiction } from '../auth/auth-context';
import type { Channel, DB, NewChannel, OnlineStatus } from '../schema/tables';
import { KYSELY } from '../tokens';
import { subtreePattern } from './jurisdiction.query';

export interface ChannelFilter {
  deviceId?: string;
  /** Subtree of this civil code (prefix match). */
  civilCode?: string;
  /** Effective status. */
  status?: OnlineStatus;
}

export interface ChannelListRow {
  channel_id: string;
  device_id: string;
  name: string;
  civil_code: string | null;
  address: string | null;
  longitude: number | null;
  latitude: number | null;
  ptz_type: number | null;
  status: OnlineStatus;
}

/** A camera's state before and after a write, to derive status events. */
export interface ChannelState {
  channelId: string;
  kind: Channel['kind'];
  civilCode: string | null;
  reportedStatus: OnlineStatus;
  lastEvent: Channel['last_event'];
}

export interface CatalogWrite {
  deviceOnline: boolean;
  before: Map<string, ChannelState>;
  after: Map<string, ChannelState>;
  upserted: number;
  removed: string[];
}

/** Rows per INSERT: 23 columns × 1000 stays far below PostgreSQL's 65,535 bind parameters. */
const CHUNK = 1000;

const onlineExpr = sql<OnlineStatus>`case when d.status = 'online' and c.reported_status = 'online' then 'online' else 'offline' end`;

function toRow(deviceId: string, item: CatalogItem): NewChannel {
  return {
    device_id: deviceId,
    channel_id: item.id,
    kind: item.kind,
    name: item.name,
    manufacturer: item.manufacturer,
    model: item.model,
    owner: item.owner,
    civil_code: item.civilCode,
    block: item.block,
    address: item.address,
    parental: item.parental,
    parent_id: item.parentId,
    business_group_id: item.businessGroupId,
    register_way: item.registerWay,
    secrecy: item.secrecy,
    ip_address: item.ipAddress,
    port: item.port,
    longitude: item.longitude,
    latitude: item.latitude,
    ptz_type: item.ptzType,
    reported_status: item.status,
  };
}

const stateOf = (
  c: Pick<Channel, 'channel_id' | 'kind' | 'civil_code' | 'reported_status' | 'last_event'>,
): ChannelState => ({
  channelId: c.channel_id,
  kind: c.kind,
  civilCode: c.civil_code,
  reportedStatus: c.reported_status,
  lastEvent: c.last_event,
});

@Injectable()
export class ChannelRepository {
  constructor(@Inject(KYSELY) private readonly db: Kysely<DB>) {}

  /** Cameras (kind 'channel') joined with their device, with the effective status. */
  private cameras() {
    return this.db
      .selectFrom('channel as c')
      .innerJoin('device as d', 'd.device_id', 'c.device_id')
      .select([
        'c.channel_id',
        'c.device_id',
        'c.name',
        'c.civil_code',
        'c.address',
        'c.longitude',
        'c.latitude',
        'c.ptz_type',
        onlineExpr.as('status'),
      ])
      .where('c.kind', '=', 'channel');
  }

  /** Cameras (kind 'channel') with their effective status, within the jurisdiction. */
  list(filter: ChannelFilter, jurisdiction: Jurisdiction): Promise<ChannelListRow[]> {
    let query = this.cameras();
    if (jurisdiction.kind === 'subtree') {
      query = query.where('c.civil_code', 'like', subtreePattern(jurisdiction.civilCode));
    }
    if (filter.deviceId) query = query.where('c.device_id', '=', filter.deviceId);
    if (filter.civilCode) query = query.where('c.civil_code', 'like', subtreePattern(filter.civilCode));
    if (filter.status === 'online') {
      query = query.where('d.status', '=', 'online').where('c.reported_status', '=', 'online');
    } else if (filter.status === 'offline') {
      query = query.where((eb) =>
        eb.or([eb('d.status', '=', 'offline'), eb('c.reported_status', '=', 'offline')]),
      );
    }
    return query.orderBy('c.device_id').orderBy('c.channel_id').execute();
  }

  /** One camera with its device and effective status, whatever the caller's jurisdiction (checked by the caller). */
  get(channelId: string): Promise<ChannelListRow | undefined> {
    return this.cameras().where('c.channel_id', '=', channelId).orderBy('c.device_id').executeTakeFirst();
  }

  /** Civil code of each of the given channels that exists (a channel reported by two devices: any one of them). */
  async civilCodes(channelIds: readonly string[]): Promise<Map<string, string | null>> {
    if (channelIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('channel')
      .select(['channel_id', 'civil_code'])
      .where('channel_id', 'in', [...new Set(channelIds)])
      .execute();
    return new Map(rows.map((r) => [r.channel_id, r.civil_code]));
  }

  async states(deviceId: string, executor: Kysely<DB> = this.db): Promise<Map<string, ChannelState>> {
    const rows = await executor
      .selectFrom('channel')
      .select(['channel_id', 'kind', 'civil_code', 'reported_status', 'last_event'])
      .where('device_id', '=', deviceId)
      .execute();
    return new Map(rows.map((r) => [r.channel_id, stateOf(r)]));
  }

  /**
   * Writes a catalog answer in one transaction: upserts every item; when `complete`, deletes the device's
   * items that are not in it (a partial answer, cut by a timeout, only upserts).
   */
  applyCatalog(deviceId: string, items: readonly CatalogItem[], complete: boolean): Promise<CatalogWrite> {
    return this.db.transaction().execute(async (tx) => {
      const deviceOnline = await this.ensureDevice(tx, deviceId);
      const before = await this.states(deviceId, tx);
      // Last occurrence wins: ON CONFLICT cannot touch one row twice in a statement.
      const unique = [...new Map(items.map((i) => [i.id, i])).values()];
      await this.upsert(tx, deviceId, unique);
      let removed: string[] = [];
      if (complete) {
        const keep = unique.map((i) => i.id);
        const deleted = await tx
          .deleteFrom('channel')
          .where('device_id', '=', deviceId)
          .where(sql<boolean>`channel_id <> all(${keep}::text[])`)
          .returning('channel_id')
          .execute();
        removed = deleted.map((d) => d.channel_id);
      }
      const after = await this.states(deviceId, tx);
      return { deviceOnline, before, after, upserted: unique.length, removed };
    });
  }

  /**
   * Applies catalog NOTIFY changes in order, in one transaction: ON/OFF set the reported status, VLOST and
   * DEFECT are recorded as the last event, ADD/UPDATE upsert the item, DEL deletes it. Changes for items
   * that are not in the inventory (other than ADD/UPDATE) are skipped.
   */
  applyChanges(deviceId: string, changes: readonly CatalogChange[]): Promise<CatalogWrite> {
    return this.db.transaction().execute(async (tx) => {
      const deviceOnline = await this.ensureDevice(tx, deviceId);
      const before = await this.states(deviceId, tx);
      const removed: string[] = [];
      let upserted = 0;
      for (const change of changes) {
        switch (change.event) {
          case 'ON':
          case 'OFF':
            await tx
              .updateTable('channel')
              .set({
                reported_status: change.event === 'ON' ? 'online' : 'offline',
                last_event: change.event,
                updated_at: sql`now()`,
              })
              .where('device_id', '=', deviceId)
              .where('channel_id', '=', change.id)
              .execute();
            break;
          case 'VLOST':
          case 'DEFECT':
            await tx
              .updateTable('channel')
              .set({ last_event: change.event, updated_at: sql`now()` })
              .where('device_id', '=', deviceId)
              .where('channel_id', '=', change.id)
              .execute();
            break;
          case 'ADD':
          case 'UPDATE':
            if (change.item) {
              await this.upsert(tx, deviceId, [{ ...change.item, id: change.id }], change.event);
              upserted++;
            }
            break;
          case 'DEL': {
            const deleted = await tx
              .deleteFrom('channel')
              .where('device_id', '=', deviceId)
              .where('channel_id', '=', change.id)
              .returning('channel_id')
              .execute();
            removed.push(...deleted.map((d) => d.channel_id));
            break;
          }
        }
      }
      const after = await this.states(deviceId, tx);
      return { deviceOnline, before, after, upserted, removed };
    });
  }

  /** Catalog data may arrive before the registration event is consumed: the device row must exist. */
  private async ensureDevice(tx: Transaction<DB>, deviceId: string): Promise<boolean> {
    await tx
      .insertInto('device')
      .values({ device_id: deviceId, kind: gbDeviceKind(deviceId) })
      .onConflict((oc) => oc.column('device_id').doNothing())
      .execute();
    const device = await tx
      .selectFrom('device')
      .select('status')
      .where('device_id', '=', deviceId)
      .executeTakeFirstOrThrow();
    return device.status === 'online';
  }

  private async upsert(
    tx: Transaction<DB>,
    deviceId: string,
    items: readonly CatalogItem[],
    event: 'ADD' | 'UPDATE' | null = null,
  ): Promise<void> {
    for (let i = 0; i < items.length; i += CHUNK) {
      const rows = items.slice(i, i + CHUNK).map((item) => ({ ...toRow(deviceId, item), last_event: event }));
      await tx
        .insertInto('channel')
        .values(rows)
        .onConflict((oc) =>
          oc.columns(['device_id', 'channel_id']).doUpdateSet((eb) => ({
            kind: eb.ref('excluded.kind'),
            name: eb.ref('excluded.name'),
            manufacturer: eb.ref('excluded.manufacturer'),
            model: eb.ref('excluded.model'),
            owner: eb.ref('excluded.owner'),
            civil_code: eb.ref('excluded.civil_code'),
            block: eb.ref('excluded.block'),
            address: eb.ref('excluded.address'),
            parental: eb.ref('excluded.parental'),
            parent_id: eb.ref('excluded.parent_id'),
            business_group_id: eb.ref('excluded.business_group_id'),
            register_way: eb.ref('excluded.register_way'),
            secrecy: eb.ref('excluded.secrecy'),
            ip_address: eb.ref('excluded.ip_address'),
            port: eb.ref('excluded.port'),
            longitude: eb.ref('excluded.longitude'),
            latitude: eb.ref('excluded.latitude'),
            ptz_type: eb.ref('excluded.ptz_type'),
            reported_status: eb.ref('excluded.reported_status'),
            last_event: event === null ? eb.ref('channel.last_event') : eb.ref('excluded.last_event'),
            updated_at: sql`now()`,
          })),
        )
        .execute();
    }
  }
}
