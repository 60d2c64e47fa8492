import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Bus, SharedEntry, UpperLinkChanged, UpperPlatformLink } from '@tessera/contracts';
import type { Logger } from '@tessera/kit';
import { requireRole } from '../access';
import type { AuthContext } from '../auth/auth-context';
import type { PlatformConfig } from '../config';
import type { UpperPlatformBody, UpperPlatformView } from '@tessera/contracts/api';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors';
import { isUniqueViolation } from '../repositories/jurisdiction.query';
import {
  type GroupNodeRow,
  type SharedChannelRow,
  UpperPlatformRepository,
  type UpperPlatformWrite,
} from '../repositories/upper-platform.repository';
import type { UpperPlatform } from '../schema/tables';
import { SecretBox, SecretOpenError } from '../secrets/secret-box';
import { UPPER_PASSWORD_PURPOSE } from '../secrets/sip-password-migration';
import { BUS, LOGGER, PLATFORM_CONFIG } from '../tokens';
import { buildSharedCatalog, civilNodeCodes, groupRefs } from './shared-catalog';

/**
 * Upper platforms this instance registers to (cascade): their configuration (admins, city-wide only: what is
 * shared upward is the whole instance's decision), what each may see, and the link state the gateway reports.
 * Every change is announced on the bus so the gateway reloads links and shared catalogs at once.
 */
@Injectable()
export class UpperPlatformService {
  /** Seals the SIP passwords at rest; null without TESSERA_SECRETS_KEY (then no password can be stored). */
  readonly #box: SecretBox | null;

  constructor(
    @Inject(UpperPlatformRepository) private readonly uppers: UpperPlatformRepository,
    @Inject(BUS) private readonly bus: Bus,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.#box = config.secretsKey ? new SecretBox(config.secretsKey) : null;
  }

  async list(auth: AuthContext): Promise<UpperPlatformView[]> {
    this.#requireCityAdmin(auth);
    const rows = await this.uppers.list();
    return Promise.all(rows.map(async (row) => toView(row, await this.uppers.sharedCount(row))));
  }

  async get(auth: AuthContext, id: string): Promise<UpperPlatformView> {
    this.#requireCityAdmin(auth);
    const row = await this.#row(id);
    return toView(row, await this.uppers.sharedCount(row));
  }

  async create(auth: AuthContext, body: UpperPlatformBody): Promise<UpperPlatformView> {
    this.#requireCityAdmin(auth);
    const row = await this.#unique(body.sipId, () =>
      this.uppers.create(toWrite(body, this.#sealed(body, null), null)),
    );
    await this.#announce(row.id);
    return toView(row, await this.uppers.sharedCount(row));
  }

  async update(auth: AuthContext, id: string, body: UpperPlatformBody): Promise<UpperPlatformView> {
    this.#requireCityAdmin(auth);
    const current = await this.#row(id);
    const sealed = this.#sealed(body, current.password_sealed);
    const row = await this.#unique(body.sipId, () =>
      this.uppers.update(id, toWrite(body, sealed, current.platform_channel_id)),
    );
    if (!row) throw new NotFoundError('upper platform', id);
    await this.#announce(row.id);
    return toView(row, await this.uppers.sharedCount(row));
  }

  async delete(auth: AuthContext, id: string): Promise<void> {
    this.#requireCityAdmin(auth);
    if (!(await this.uppers.delete(id))) throw new NotFoundError('upper platform', id);
    await this.#announce(id);
  }

  /** The links the gateway keeps (`cascade.uppers`). */
  async links(): Promise<UpperPlatformLink[]> {
    return (await this.uppers.list()).map((row) => ({
      id: row.id,
      name: row.name,
      sipId: row.sip_id,
      domain: row.domain,
      host: row.host,
      port: row.port,
      transport: row.transport,
      localId: row.local_id ?? this.config.sipId,
      passwordTag: passwordTagOf(row.password_sealed),
      registerExpiresSec: row.register_expires_sec,
      keepaliveIntervalSec: row.keepalive_interval_sec,
      keepaliveCount: row.keepalive_count,
      charset: row.charset,
      enabled: row.enabled,
    }));
  }

  /**
   * HA1 for an upper's challenge (`cascade.upper-ha1`): the gateway digests with it, so the password itself never
   * leaves the platform. An unknown upper is a NotFoundError (the gateway's REGISTER fails and retries). `hash` is
   * the challenge's: SM3 for a GB/T 28181-2022 upper asking for it (RFC 7616 §3.4: HA1 uses the named hash).
   */
  async upperHa1(upperId: string, realm: string, hash: 'md5' | 'sm3' = 'md5'): Promise<string> {
    const row = await this.#row(upperId);
    const username = row.local_id ?? this.config.sipId;
    return createHash(hash)
      .update(`${username}:${realm}:${this.#open(row)}`)
      .digest('hex');
  }

  /** What one upper sees (`cascade.shared-catalog`); an unknown upper sees nothing. */
  async sharedCatalog(upperId: string): Promise<SharedEntry[]> {
    const row = await this.uppers.get(upperId);
    if (!row) return [];
    const channels = await this.uppers.sharedChannels(row);
    const names = await this.uppers.areaNames(civilNodeCodes(channels));
    return buildSharedCatalog(channels, names, row.remap, await this.#groups(channels));
  }

  /** Which uppers share a local channel, and under which ID (for relays and notifications). */
  async resolveShared(
    upperId: string,
    shownId: string,
  ): Promise<{ deviceId: string; channelId: string } | null> {
    // One lookup, not the whole catalog: an upper's INVITE must not wait on 10,000 rows.
    const row = await this.uppers.get(upperId);
    if (!row) return null;
    if (shownId === (row.local_id ?? this.config.sipId)) {
      // The upper invites us as one device (SRS does): the channel the admin named for our ID answers, if any.
      if (row.platform_channel_id === null) return null;
      const named = await this.uppers.namedChannel(row.platform_channel_id);
      return named ? { deviceId: named.device_id, channelId: named.channel_id } : null;
    }
    const remapped = Object.entries(row.remap).find(([, shown]) => shown.id === shownId)?.[0];
    // A channel shown under another ID is not reachable under its own.
    const candidates = [remapped, row.remap[shownId]?.id === undefined ? shownId : undefined].filter(
      (id): id is string => id !== undefined,
    );
    const [match] = await this.uppers.sharedChannels(row, candidates);
    return match ? { deviceId: match.device_id, channelId: match.channel_id } : null;
  }

  async recordLink(event: UpperLinkChanged): Promise<void> {
    const written = await this.uppers.recordLink(event.upperId, {
      state: event.state,
      detail: event.detail,
      retryAt: event.retryAt,
      at: event.at,
    });
    this.logger.info(
      { upperId: event.upperId, state: event.state, detail: event.detail, written },
      'upper platform link changed',
    );
  }

  /** The 215/216 nodes above the shared cameras, following parents up a few levels (groups nest). */
  async #groups(channels: readonly SharedChannelRow[]): Promise<GroupNodeRow[]> {
    const devices = [...new Set(channels.map((c) => c.device_id))];
    const found = new Map<string, GroupNodeRow>();
    let wanted = [...new Set(channels.flatMap(groupRefs))];
    for (let depth = 0; depth < 8 && wanted.length > 0; depth++) {
      const rows = await this.uppers.groupNodes(devices, wanted);
      for (const row of rows) found.set(row.channel_id, row);
      wanted = [...new Set(rows.flatMap(groupRefs))].filter((id) => !found.has(id));
    }
    return [...found.values()].sort((a, b) => a.channel_id.localeCompare(b.channel_id));
  }

  /** What `password_sealed` becomes: an omitted password keeps `stored`, an empty one clears it. */
  #sealed(body: UpperPlatformBody, stored: string | null): string | null {
    if (body.password === undefined) return stored;
    if (body.password === '') return null;
    if (!this.#box) {
      throw new ValidationError(
        'password: cannot be stored, the platform has no TESSERA_SECRETS_KEY to encrypt it with',
      );
    }
    return this.#box.seal(body.password, UPPER_PASSWORD_PURPOSE);
  }

  #open(row: UpperPlatform): string {
    if (row.password_sealed === null) return '';
    try {
      if (!this.#box) throw new SecretOpenError('TESSERA_SECRETS_KEY is not set');
      return this.#box.open(row.password_sealed, UPPER_PASSWORD_PURPOSE);
    } catch (error) {
      // Start-up checked the key (checkSecretsKey): a row sealed elsewhere since. This link fails, not the others.
      this.logger.error({ err: error, upperId: row.id }, 'upper platform password cannot be decrypted');
      throw error;
    }
  }

  async #row(id: string): Promise<UpperPlatform> {
    const row = await this.uppers.get(id);
    if (!row) throw new NotFoundError('upper platform', id);
    return row;
  }

  async #unique<T>(sipId: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError(`an upper platform with ID ${sipId} exists`);
      throw error;
    }
  }

  async #announce(upperId: string): Promise<void> {
    const at = new Date().toISOString();
    await this.bus.publish('cascade.uppers-changed', { at });
    await this.bus.publish('cascade.shares-changed', { upperId, at });
  }

  #requireCityAdmin(auth: AuthContext): void {
    requireRole(auth, 'admin');
    if (auth.jurisdiction.kind !== 'all') {
      throw new ForbiddenError(
        `upper platforms are configured by a city-wide admin; ${auth.username} is not`,
      );
    }
  }
}

/** `storedChannel`: what an omitted platform channel keeps (the row's, or null on a create). */
function toWrite(
  body: UpperPlatformBody,
  passwordSealed: string | null,
  storedChannel: string | null,
): UpperPlatformWrite {
  return {
    name: body.name,
    sip_id: body.sipId,
    domain: body.domain,
    host: body.host,
    port: body.port,
    transport: body.transport,
    local_id: body.localId,
    password_sealed: passwordSealed,
    register_expires_sec: body.registerExpiresSec,
    keepalive_interval_sec: body.keepaliveIntervalSec,
    keepalive_count: body.keepaliveCount,
    charset: body.charset,
    enabled: body.enabled,
    share_civil_codes: body.shareCivilCodes,
    share_device_ids: body.shareDeviceIds,
    share_channel_ids: body.shareChannelIds,
    remap: JSON.stringify(body.remap),
    platform_channel_id: body.platformChannelId === undefined ? storedChannel : body.platformChannelId,
  };
}

/** Changes with every password set (a fresh IV each time), says nothing about the password. */
function passwordTagOf(sealed: string | null): string {
  return sealed === null ? '' : createHash('sha256').update(sealed).digest('hex').slice(0, 16);
}

function toView(row: UpperPlatform, sharedChannels: number): UpperPlatformView {
  return {
    id: row.id,
    name: row.name,
    sipId: row.sip_id,
    domain: row.domain,
    host: row.host,
    port: row.port,
    transport: row.transport,
    localId: row.local_id,
    registerExpiresSec: row.register_expires_sec,
    keepaliveIntervalSec: row.keepalive_interval_sec,
    keepaliveCount: row.keepalive_count,
    charset: row.charset,
    enabled: row.enabled,
    shareCivilCodes: row.share_civil_codes,
    shareDeviceIds: row.share_device_ids,
    shareChannelIds: row.share_channel_ids,
    remap: row.remap,
    platformChannelId: row.platform_channel_id,
    link: {
      state: row.enabled ? row.link_state : 'disabled',
      detail: row.link_detail,
      retryAt: row.link_retry_at?.toISOString() ?? null,
      changedAt: row.link_changed_at?.toISOString() ?? null,
    },
    sharedChannels,
  };
}
