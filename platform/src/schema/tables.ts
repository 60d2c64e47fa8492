import type {
  CatalogEventType,
  CatalogNodeKind,
  GbVersion,
  OfflineReason,
  SipTransport,
  UpperLinkState,
} from '@tessera/contracts';
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** Read as Date, written as Date or ISO string. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>;

export type OnlineStatus = 'online' | 'offline';
export type UserRole = 'admin' | 'operator' | 'viewer';

export interface SchemaMigrationTable {
  name: string;
  applied_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface CivilAreaTable {
  code: string;
  name: string;
  parent_code: string | null;
  level: number;
  path: string;
}

export interface DeviceTable {
  device_id: string;
  name: string | null;
  manufacturer: string | null;
  model: string | null;
  firmware: string | null;
  kind: string;
  transport: SipTransport | null;
  remote_address: string | null;
  status: Generated<OnlineStatus>;
  status_changed_at: Timestamp | null;
  gb_version: GbVersion | null;
  user_agent: string | null;
  registered_at: Timestamp | null;
  last_keepalive_at: Timestamp | null;
  offline_reason: OfflineReason | null;
  offline_at: Timestamp | null;
  /** HA1 = MD5(device_id:password_realm:password), RFC 2617 §3.2.2.2 (secrets/device-digest.ts); never the password. */
  password_ha1: string | null;
  /** HA1 = SM3(device_id:password_realm:password) for GB/T 28181-2022 SM3 digests; null for passwords set before. */
  password_ha1_sm3: string | null;
  password_realm: string | null;
  charset: string | null;
  keepalive_interval_sec: number | null;
  keepalive_count: number | null;
  enabled: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface ChannelTable {
  device_id: string;
  channel_id: string;
  kind: CatalogNodeKind;
  name: string;
  manufacturer: string | null;
  model: string | null;
  owner: string | null;
  civil_code: string | null;
  block: string | null;
  address: string | null;
  parental: boolean;
  parent_id: string | null;
  business_group_id: string | null;
  register_way: number | null;
  secrecy: number | null;
  ip_address: string | null;
  port: number | null;
  longitude: number | null;
  latitude: number | null;
  ptz_type: number | null;
  reported_status: OnlineStatus;
  last_event: CatalogEventType | null;
  /** Set by a trigger when reported_status or last_event changes. */
  health_changed_at: Generated<Date>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface WallLayoutTable {
  user_id: string;
  name: string;
  grid: number;
  tiles: ColumnType<WallTile[], string, string>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface WallTile {
  tile: number;
  channelId: string;
}

export interface UpperPlatformTable {
  id: Generated<string>;
  name: string;
  sip_id: string;
  domain: string;
  host: string;
  port: number;
  transport: Generated<SipTransport>;
  local_id: string | null;
  /** The SIP password sealed with TESSERA_SECRETS_KEY (secrets/secret-box.ts); null = none. */
  password_sealed: string | null;
  register_expires_sec: Generated<number>;
  keepalive_interval_sec: Generated<number>;
  keepalive_count: Generated<number>;
  charset: Generated<UpperCharset>;
  enabled: Generated<boolean>;
  share_civil_codes: ColumnType<string[], string[] | undefined, string[]>;
  share_device_ids: ColumnType<string[], string[] | undefined, string[]>;
  share_channel_ids: ColumnType<string[], string[] | undefined, string[]>;
  remap: ColumnType<ChannelRemap, string | undefined, string>;
  /** The channel that answers an INVITE for our own ID (migration 20261207130000). */
  platform_channel_id: string | null;
  link_state: Generated<UpperLinkState>;
  link_detail: string | null;
  link_retry_at: Timestamp | null;
  link_changed_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export type UpperCharset = 'gb2312' | 'gb18030' | 'utf-8';
/** Local channel ID → what one upper is shown instead. */
export type ChannelRemap = Record<string, { id?: string; name?: string }>;

export interface AppUserTable {
  id: Generated<string>;
  username: string;
  password_hash: string;
  role: UserRole;
  civil_code: string;
  /** Set when an admin disabled the account: no login, no token accepted. */
  disabled_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

/** One issued bearer token (its `sid`); see migration 20261207100000-user-session-and-disable.sql. */
export interface UserSessionTable {
  id: Generated<string>;
  user_id: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
}

export interface DB {
  schema_migration: SchemaMigrationTable;
  civil_area: CivilAreaTable;
  device: DeviceTable;
  channel: ChannelTable;
  app_user: AppUserTable;
  user_session: UserSessionTable;
  wall_layout: WallLayoutTable;
  upper_platform: UpperPlatformTable;
}

export type CivilArea = Selectable<CivilAreaTable>;
export type Device = Selectable<DeviceTable>;
export type NewDevice = Insertable<DeviceTable>;
export type DeviceUpdate = Updateable<DeviceTable>;
export type Channel = Selectable<ChannelTable>;
export type NewChannel = Insertable<ChannelTable>;
export type AppUser = Selectable<AppUserTable>;
export type NewAppUser = Insertable<AppUserTable>;
export type UpperPlatform = Selectable<UpperPlatformTable>;
