import type {
  ChannelSummary,
  CivilAreaNode as CivilAreaNodeDto,
  DeviceDetail,
  DeviceSummary,
  UserResponse,
} from '@tessera/contracts/api';
import { asChannelId, asCivilCode, asDeviceId, type CivilCode } from '@tessera/contracts';
import type { ChannelListRow } from '../repositories/channel.repository';
import type { CivilAreaNode } from '../repositories/civil-area.repository';
import type { DeviceWithCount } from '../repositories/device.repository';
import type { AppUser } from '../schema/tables';

/** Rows (snake_case, Date) → API DTOs (camelCase, ISO strings). */
const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** A nullable civil code column as the API's branded CivilCode. */
export const civilCodeOrNull = (code: string | null): CivilCode | null =>
  code === null ? null : asCivilCode(code);

export function toUserResponse(u: AppUser): UserResponse {
  return {
    id: u.id,
    username: u.username,
    role: u.role,
    civilCode: asCivilCode(u.civil_code),
    disabled: u.disabled_at !== null,
    createdAt: u.created_at.toISOString(),
  };
}

export function toDeviceSummary(d: DeviceWithCount): DeviceSummary {
  return {
    deviceId: asDeviceId(d.device_id),
    name: d.name,
    manufacturer: d.manufacturer,
    model: d.model,
    status: d.status,
    transport: d.transport,
    remoteAddress: d.remote_address,
    registeredAt: iso(d.registered_at),
    lastKeepaliveAt: iso(d.last_keepalive_at),
    channelCount: d.channel_count,
  };
}

export function toDeviceDetail(d: DeviceWithCount): DeviceDetail {
  return {
    ...toDeviceSummary(d),
    kind: d.kind,
    firmware: d.firmware,
    gbVersion: d.gb_version,
    userAgent: d.user_agent,
    offlineReason: d.offline_reason,
    offlineAt: iso(d.offline_at),
    hasPassword: d.password_ha1 !== null,
    charset: d.charset,
    keepaliveIntervalSec: d.keepalive_interval_sec,
    keepaliveCount: d.keepalive_count,
    enabled: d.enabled,
    createdAt: d.created_at.toISOString(),
    updatedAt: d.updated_at.toISOString(),
  };
}

export function toChannelSummary(c: ChannelListRow): ChannelSummary {
  return {
    channelId: asChannelId(c.channel_id),
    deviceId: asDeviceId(c.device_id),
    name: c.name,
    civilCode: civilCodeOrNull(c.civil_code),
    address: c.address,
    longitude: c.longitude,
    latitude: c.latitude,
    status: c.status,
    ptzType: c.ptz_type,
  };
}

export function toCivilAreaNode(a: CivilAreaNode): CivilAreaNodeDto {
  return {
    code: asCivilCode(a.code),
    name: a.name,
    parentCode: civilCodeOrNull(a.parent_code),
    level: a.level,
    childCount: a.child_count,
    channelCount: a.channel_count,
    onlineCount: a.online_count,
  };
}
