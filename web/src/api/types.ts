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

/** The Server-Sent Events the console listens to on `/api/v1/events`. */
export type LiveEvent =
  | { type: 'device.status'; data: DeviceStatusEvent }
  | { type: 'channel.status'; data: ChannelStatusEvent };

export type LiveEventType = LiveEvent['type'];
export const LIVE_EVENT_TYPES: readonly LiveEventType[] = ['device.status', 'channel.status'];
