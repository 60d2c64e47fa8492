import { Inject, Injectable } from '@nestjs/common';
import type { GbVersion, OfflineReason, SipTransport } from '@tessera/contracts';
import { gbDeviceKind } from '@tessera/contracts';
import { type Kysely, sql } from 'kysely';
import type { Jurisdiction } from '../auth/auth-context';
import type { Device, DeviceUpdate, DB, NewDevice } from '../schema/tables';
import { KYSELY } from '../tokens';
import { deviceInJurisdiction, isUniqueViolation, subtreePattern } from './jurisdiction.query';

export interface DeviceWithCount extends Device {
  channel_count: number;
}

export interface OnlineInput {
  deviceId: string;
  at: string;
  transport: SipTransport;
  remoteAddress: string;
  /** Present for `device.registered`. */
  registration?: { gbVersion: GbVersion; userAgent: string | null };
}

/** Result of a status write: `changed` is false for a repeated or out-of-date event. */
export interface StatusWrite {
  changed: boolean;
  device: Device;
}

export interface KeepaliveEntry {
  deviceId: string;
  at: string;
  remoteAddress: string;
}

@Injectable()
export class DeviceRepository {
  constructor(@Inject(KYSELY) private readonly db: Kysely<DB>) {}

  /** IDs of the devices online now. */
  async onlineIds(): Promise<string[]> {
    const rows = await this.db
      .selectFrom('device')
      .select('device_id')
      .where('status', '=', 'online')
      .execute();
    return rows.map((r) => r.device_id);
  }

  get(deviceId: string): Promise<Device | undefined> {
    return this.db.selectFrom('device').selectAll().where('device_id', '=', deviceId).executeTakeFirst();
  }

  /** Devices within the jurisdiction (or the one given), each with the number of its cameras the caller can see. */
  list(jurisdiction: Jurisdiction, deviceId?: string): Promise<DeviceWithCount[]> {
    const prefix = jurisdiction.kind === 'subtree' ? subtreePattern(jurisdiction.civilCode) : null;
    let query = this.db
      .selectFrom('device')
      .selectAll('device')
      .select((eb) => {
        let cameras = eb
          .selectFrom('channel as cc')
          .select(sql<number>`count(*)::int`.as('n'))
          .whereRef('cc.device_id', '=', 'device.device_id')
          .where('cc.kind', '=', 'channel');
        if (prefix) cameras = cameras.where('cc.civil_code', 'like', prefix);
        return cameras.$asScalar().$notNull().as('channel_count');
      })
      .where((eb) => deviceInJurisdiction(eb, jurisdiction));
    if (deviceId !== undefined) query = query.where('device.device_id', '=', deviceId);
    return query.orderBy('device.device_id').execute();
  }

  /** Inserts a pre-provisioned device; returns undefined when the ID already exists. */
  async insert(values: Omit<NewDevice, 'kind'>): Promise<Device | undefined> {
    try {
      return await this.db
        .insertInto('device')
        .values({ ...values, kind: gbDeviceKind(values.device_id) })
        .returningAll()
        .executeTakeFirstOrThrow();
    } catch (err) {
      if (isUniqueViolation(err)) return undefined;
      throw err;
    }
  }

  update(deviceId: string, patch: DeviceUpdate): Promise<Device | undefined> {
    return this.db
      .updateTable('device')
      .set({ ...patch, updated_at: sql`now()` })
      .where('device_id', '=', deviceId)
      .returningAll()
      .executeTakeFirst();
  }

  /** Marks a device online (creating it if unknown) unless a newer status change is already recorded. */
  applyOnline(input: OnlineInput): Promise<StatusWrite> {
    return this.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('device')
        .values({ device_id: input.deviceId, kind: gbDeviceKind(input.deviceId) })
        .onConflict((oc) => oc.column('device_id').doNothing())
        .execute();
      const before = await tx
        .selectFrom('device')
        .select(['status', 'status_changed_at'])
        .where('device_id', '=', input.deviceId)
        .forNoKeyUpdate()
        .executeTakeFirstOrThrow();
      const current = !before.status_changed_at || before.status_changed_at.getTime() <= Date.parse(input.at);
      const registration = input.registration
        ? {
            registered_at: input.at,
            gb_version: input.registration.gbVersion,
            user_agent: input.registration.userAgent,
          }
        : {};
      const status = current
        ? {
            status: 'online' as const,
            status_changed_at: input.at,
            transport: input.transport,
            remote_address: input.remoteAddress,
            offline_reason: null,
            offline_at: null,
          }
        : {};
      const device = await tx
        .updateTable('device')
        .set({ ...registration, ...status, updated_at: sql`now()` })
        .where('device_id', '=', input.deviceId)
        .returningAll()
        .executeTakeFirstOrThrow();
      return { changed: current && before.status !== 'online', device };
    });
  }

  /** Marks a known device offline unless a newer status change is recorded; undefined for unknown devices. */
  applyOffline(input: {
    deviceId: string;
    reason: OfflineReason;
    at: string;
  }): Promise<StatusWrite | undefined> {
    return this.db.transaction().execute(async (tx) => {
      const before = await tx
        .selectFrom('device')
        .selectAll()
        .where('device_id', '=', input.deviceId)
        .forNoKeyUpdate()
        .executeTakeFirst();
      if (!before) return undefined;
      if (before.status_changed_at && before.status_changed_at.getTime() > Date.parse(input.at)) {
        return { changed: false, device: before };
      }
      const device = await tx
        .updateTable('device')
        .set({
          status: 'offline',
          status_changed_at: input.at,
          offline_reason: input.reason,
          offline_at: input.at,
          updated_at: sql`now()`,
        })
        .where('device_id', '=', input.deviceId)
        .returningAll()
        .executeTakeFirstOrThrow();
      return { changed: before.status !== 'offline', device };
    });
  }

  /** One UPDATE for any number of devices (arrays unnested server-side); never moves a time backwards. */
  async recordKeepalives(entries: readonly KeepaliveEntry[]): Promise<number> {
    if (entries.length === 0) return 0;
    const ids = entries.map((e) => e.deviceId);
    const ats = entries.map((e) => e.at);
    const addresses = entries.map((e) => e.remoteAddress);
    const result = await sql`
      update device as d
      set last_keepalive_at = k.at, remote_address = k.remote_address, updated_at = now()
      from unnest(${ids}::text[], ${ats}::timestamptz[], ${addresses}::text[]) as k(device_id, at, remote_address)
      where d.device_id = k.device_id and (d.last_keepalive_at is null or d.last_keepalive_at < k.at)
    `.execute(this.db);
    return Number(result.numAffectedRows ?? 0n);
  }

  /**
   * Marks offline ('restart-reconcile') every device stored online whose last sign of life (keepalive,
   * registration or status change) is older than its keepalive window — interval × count, its own settings or
   * the defaults — plus what the gateway's report period and the keepalive batching can delay a stored
   * keepalive by. Such a device died while nobody was watching (platform or gateway down, presence lost).
   * Plus, not the larger of: the gateway keeps a device online while its keepalives come within interval × count
   * however far apart (a lower platform keeps alive at its own link's period, GB/T 28181 §9.6), so its stored
   * keepalive (or, before the first one is stored, its registration) can be the window and the lag old.
   *
   * The status change is ordered at the device's last sign of life, not now: it is an inference, so any later
   * report from the gateway (registration, keepalive, offline with its real reason) supersedes it. `offline_at`
   * is when its keepalives ran out. The conditions are on the row itself, so a registration written meanwhile
   * (row lock, READ COMMITTED re-check) keeps its device online.
   */
  async reconcileStale(input: {
    at: string;
    keepaliveIntervalSec: number;
    keepaliveCount: number;
    /** Extra seconds a stored keepalive may lag (gateway report period + batching); added to the window. */
    lagSec: number;
  }): Promise<Device[]> {
    const interval = sql`coalesce(d.keepalive_interval_sec, ${input.keepaliveIntervalSec}::int)`;
    const windowSec = sql`(${interval} * coalesce(d.keepalive_count, ${input.keepaliveCount}::int))`;
    const lastSeen = sql`greatest(d.last_keepalive_at, d.registered_at, d.status_changed_at)`;
    const result = await sql<Device>`
      update device as d
      set status = 'offline',
          offline_reason = 'restart-reconcile',
          status_changed_at = coalesce(${lastSeen}, ${input.at}::timestamptz),
          offline_at = least(${lastSeen} + make_interval(secs => ${windowSec}), ${input.at}::timestamptz),
          updated_at = now()
      where d.status = 'online'
        and (${lastSeen} is null
          or ${lastSeen} + make_interval(secs => ${windowSec} + ${input.lagSec}::int) < ${input.at}::timestamptz)
      returning d.*
    `.execute(this.db);
    return result.rows;
  }

  /**
   * A keepalive the gateway reported after a device was marked offline by `reconcileStale` proves the gateway
   * has it online (it reports keepalives only of registered devices): the device is online again.
   */
  async reviveReconciled(entries: readonly KeepaliveEntry[]): Promise<Device[]> {
    if (entries.length === 0) return [];
    const ids = entries.map((e) => e.deviceId);
    const ats = entries.map((e) => e.at);
    const addresses = entries.map((e) => e.remoteAddress);
    const result = await sql<Device>`
      update device as d
      set status = 'online', status_changed_at = k.at, offline_reason = null, offline_at = null,
          remote_address = k.remote_address, updated_at = now()
      from unnest(${ids}::text[], ${ats}::timestamptz[], ${addresses}::text[]) as k(device_id, at, remote_address)
      where d.device_id = k.device_id and d.status = 'offline' and d.offline_reason = 'restart-reconcile'
        and d.status_changed_at < k.at
      returning d.*
    `.execute(this.db);
    return result.rows;
  }

  /** Device-reported identity; a name set by an operator wins over the reported one. */
  async applyInfo(input: {
    deviceId: string;
    name: string | null;
    manufacturer: string | null;
    model: string | null;
    firmware: string | null;
  }): Promise<void> {
    await this.db
      .insertInto('device')
      .values({
        device_id: input.deviceId,
        kind: gbDeviceKind(input.deviceId),
        name: input.name,
        manufacturer: input.manufacturer,
        model: input.model,
        firmware: input.firmware,
      })
      .onConflict((oc) =>
        oc.column('device_id').doUpdateSet((eb) => ({
          name: eb.fn.coalesce('device.name', 'excluded.name'),
          manufacturer: eb.fn.coalesce('excluded.manufacturer', 'device.manufacturer'),
          model: eb.fn.coalesce('excluded.model', 'device.model'),
          firmware: eb.fn.coalesce('excluded.firmware', 'device.firmware'),
          updated_at: sql`now()`,
        })),
      )
      .execute();
  }
}
