/**
 * What the platform's REST API (`/api/v1`) and its Server-Sent Events answer, as the console reads it.
 * Field names follow the platform's DTOs; only the endpoints listed in `client.ts` exist.
 */

declare const brand: unique symbol;
/** A string that is known to be a particular kind of identifier, so one kind is never passed as another. */
export type Brand<T, B extends string> = T & { readonly [brand]: B };

/** 20-digit GB/T 28181 ID of a device (IPC, NVR, lower platform). */
export type DeviceId = Brand<string, 'DeviceId'>;
/** 20-digit GB/T 28181 ID of a channel (a camera). For an IPC it equals its device ID. */
export type ChannelId = Brand<string, 'ChannelId'>;
/** GB/T 2260 civil (administrative area) code: 2 province, 4 city, 6 district, 9 street digits. */
export type CivilCode = Brand<string, 'CivilCode'>;

export type OnlineStatus = 'online' | 'offline';
export type UserRole = 'admin' | 'operator' | 'viewer';

export interface LoginRequest {
  username: string;
  password: string;
}

export interface TokenResponse {
  token: string;
  /** ISO time; absent on platforms that do not say. */
  expiresAt: string | null;
}

export interface CurrentUser {
  id: string;
  username: string;
  role: UserRole;
  /** The user's jurisdiction. */
  civilCode: CivilCode;
  createdAt: string;
}

export interface DeviceSummary {
  deviceId: DeviceId;
  name: string | null;
  manufacturer: string | null;
  model: string | null;
  status: OnlineStatus;
  transport: 'udp' | 'tcp' | null;
  remoteAddress: string | null;
  registeredAt: string | null;
  lastKeepaliveAt: string | null;
  channelCount: number;
}

export interface ChannelSummary {
  channelId: ChannelId;
  deviceId: DeviceId;
  name: string;
  civilCode: CivilCode | null;
  address: string | null;
  /** WGS-84, as GB/T 28181 devices report it. */
  longitude: number | null;
  latitude: number | null;
  /** Online only if the device is online and the channel reports online. */
  status: OnlineStatus;
  /** 1 dome, 2 half-dome, 3 fixed, 4 remote-control bullet. */
  ptzType: number | null;
}

export interface ChannelQuery {
  deviceId?: DeviceId;
  /** Matches the subtree: a district code selects every street below it. */
  civilCode?: CivilCode;
  status?: OnlineStatus;
}

/** One node of the organisation tree (one level, loaded lazily). */
export interface CivilAreaNode {
  code: CivilCode;
  name: string;
  parentCode: CivilCode | null;
  /** 1 province, 2 city, 3 district/county, 4 street/township. */
  level: number;
  childCount: number;
  /** Cameras whose civil code lies in this subtree. */
  channelCount: number;
  onlineCount: number;
}

export interface DeviceStatusEvent {
  deviceId: DeviceId;
  status: OnlineStatus;
  reason: string | null;
  /** ISO time the platform saw the change. */
  at: string;
}

export interface ChannelStatusEvent {
  deviceId: DeviceId;
  channelId: ChannelId;
  status: OnlineStatus;
  at: string;
}

/** The health events of `/api/v1/events`: what the camera store applies. */
export type LiveEvent =
  | { type: 'device.status'; data: DeviceStatusEvent }
  | { type: 'channel.status'; data: ChannelStatusEvent };

export type LiveEventType = LiveEvent['type'];
export const LIVE_EVENT_TYPES: readonly LiveEventType[] = ['device.status', 'channel.status'];

/**
 * `session.ended` on `/api/v1/events`: the platform revoked the console's token (logout, user disabled or
 * deleted, password changed or reset) or it expired; the stream ends after it and a new one would be refused.
 */
export interface SessionEndedEvent {
  reason: 'expired' | 'revoked';
  at: string;
}

/** `stream.ended` on `/api/v1/events`: a live session ended for every viewer (device BYE, media timeout…). */
export interface StreamEndedEvent {
  sessionId: string;
  channelId: ChannelId;
  /** e.g. `call device-bye`, `media timeout`, `no-viewers`. */
  reason: string;
  at: string;
}

/** `POST /channels/{id}/play`: where the browser fetches the live picture (WHEP). */
export interface PlayAnswer {
  sessionId: string;
  /** WHEP endpoint: POST an SDP offer with the viewer token as Bearer. */
  whepUrl: string;
  token: string;
  /** What the camera sends; the browser always receives H.264 (H.265 is transcoded). */
  codec: 'h264' | 'h265';
  width: number | null;
  height: number | null;
  expiresAt: string;
  /** true when this viewer joined a live upstream. */
  shared: boolean;
}

export type PtzDirection =
  | 'up'
  | 'down'
  | 'left'
  | 'right'
  | 'up-left'
  | 'up-right'
  | 'down-left'
  | 'down-right';

/** `POST /channels/{id}/ptz`: the platform's PtzBody, sent to the camera as a GB/T 28181 PTZCmd. */
export type PtzCommand =
  | { type: 'stop' }
  /** Speeds 0–255. */
  | { type: 'move'; direction: PtzDirection; panSpeed: number; tiltSpeed: number }
  /** Speed 0–15. */
  | { type: 'zoom'; direction: 'in' | 'out'; speed: number }
  | { type: 'focus'; direction: 'near' | 'far'; speed: number }
  | { type: 'iris'; direction: 'open' | 'close'; speed: number }
  | { type: 'focus-iris-stop' }
  /** Preset 1–255. */
  | { type: 'preset'; action: 'set' | 'call' | 'delete'; preset: number };

export interface PtzAnswer {
  /** The PTZCmd sent, 16 hex digits. */
  ptzCmd: string;
  /** SIP status of the camera's answer. */
  status: number;
  result: string | null;
}

/** Video wall grids: 1×1 to 5×5. */
export type WallGrid = 1 | 4 | 9 | 16 | 25;
export const WALL_GRIDS: readonly WallGrid[] = [1, 4, 9, 16, 25];

export interface WallLayoutTile {
  /** Position in the grid, row by row from 0. */
  tile: number;
  channelId: ChannelId;
}

export interface WallLayoutBody {
  grid: WallGrid;
  tiles: WallLayoutTile[];
}

/** A user's saved wall (`/wall-layouts`): layouts are per user. */
export interface WallLayout extends WallLayoutBody {
  name: string;
  updatedAt: string;
}

/** A user as `/users` lists them (the same shape as `/me`). */
export type UserSummary = CurrentUser;

export interface CreateUserRequest {
  username: string;
  password: string;
  role: UserRole;
  civilCode: CivilCode;
}

/** `/outages`: offline (device or camera down), no-video (VLOST), fault (DEFECT). */
export type OutageHealth = 'offline' | 'no-video' | 'fault';

/** One camera needing repair (`GET /outages`, longest outage first). */
export interface Outage {
  channelId: ChannelId;
  deviceId: DeviceId;
  name: string;
  civilCode: CivilCode | null;
  districtCode: CivilCode | null;
  districtName: string | null;
  address: string | null;
  longitude: number | null;
  latitude: number | null;
  health: OutageHealth;
  /** Why, e.g. keepalive-timeout, OFF, VLOST. */
  reason: string;
  since: string;
  downSeconds: number;
  lastSeenAt: string | null;
  /** 2 for PTZ cameras, 1 otherwise. */
  importance: number;
}

export interface OnlineCounts {
  total: number;
  online: number;
  faulty: number;
  /** 0–1; 1 when there are no cameras. */
  onlineRate: number;
}

export interface DistrictOnlineCounts extends OnlineCounts {
  code: CivilCode | null;
  name: string | null;
}

/** `/stats/online-rate`: 在线率 per district and for the caller's jurisdiction. */
export interface OnlineRate {
  city: OnlineCounts;
  districts: DistrictOnlineCounts[];
}

/** Cascade: how the gateway last reported the link to an upper platform. */
export type UpperLinkState = 'disabled' | 'registering' | 'registered' | 'failed';
export const UPPER_LINK_STATES: readonly UpperLinkState[] = [
  'disabled',
  'registering',
  'registered',
  'failed',
];

export interface UpperLink {
  state: UpperLinkState;
  /** Why (e.g. "403 Forbidden", "timeout"), or where a redirect led; null when there is nothing to say. */
  detail: string | null;
  /** ISO time of the next REGISTER attempt after a failure. */
  retryAt: string | null;
  /** ISO time of the last change; null before the gateway reported anything. */
  changedAt: string | null;
}

export type UpperTransport = 'udp' | 'tcp';
export type UpperCharset = 'gb2312' | 'gb18030' | 'utf-8';

/** Local channel ID → the ID and/or name one upper is shown. */
export type UpperRemap = Record<string, { id?: string; name?: string }>;

/** `PUT`/`POST /upper-platforms`: the whole configuration (the password is write-only: never read back). */
export interface UpperPlatformBody {
  name: string;
  sipId: string;
  domain: string;
  host: string;
  port: number;
  transport: UpperTransport;
  /** Our ID as the upper knows us; null = the gateway's SIP ID. */
  localId: string | null;
  /** Omitted on a replace: the platform keeps the stored password. */
  password?: string;
  registerExpiresSec: number;
  keepaliveIntervalSec: number;
  keepaliveCount: number;
  charset: UpperCharset;
  enabled: boolean;
  /** What the upper sees: channels under these civil-code subtrees, of these devices, or these channels. */
  shareCivilCodes: string[];
  shareDeviceIds: string[];
  shareChannelIds: string[];
  remap: UpperRemap;
}

/** One upper platform as `/upper-platforms` lists it (city-wide admins only). */
export interface UpperPlatform extends Omit<UpperPlatformBody, 'password'> {
  id: string;
  link: UpperLink;
  /** Channels this upper currently sees. */
  sharedChannels: number;
}

/** `GET /api/v1/basemap`: the street-level base map the platform serves (`TESSERA_BASEMAP`), or none. */
export interface BasemapInfo {
  kind: 'none' | 'raster' | 'vector';
  /** Tile URL template on the platform, `/api/v1/basemap/{z}/{x}/{y}`; null when none. */
  tiles: string | null;
  minZoom: number;
  maxZoom: number;
  tileSize: 256 | 512;
  /** Vector tiles: the source layers to draw. */
  layers: string[];
  /** Plain text. */
  attribution: string;
}
