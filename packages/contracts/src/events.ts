import { z } from 'zod';
import { CatalogChange, CatalogItem } from './catalog';
import {
  EgressEnded,
  InventoryChannelChanged,
  RelayEnded,
  SharesChanged,
  UpperLinkChanged,
  UppersChanged,
} from './cascade';
import { CallEnded, KeyframeWanted } from './play';
import { StreamEnded } from './stream';

/**
 * Events on the bus (Redis streams in production, in memory under `npm start`).
 * Gateway → platform. Each has a zod schema: payloads crossing Redis are validated, never trusted.
 */
export const SipTransport = z.enum(['udp', 'tcp']);
export type SipTransport = z.infer<typeof SipTransport>;

export const GbVersion = z.enum(['2016', '2022', 'unknown']);
export type GbVersion = z.infer<typeof GbVersion>;

export const DeviceRegistered = z.object({
  deviceId: z.string(),
  transport: SipTransport,
  /** Packet source `ip:port` (NAT-safe), not the Contact. */
  remoteAddress: z.string(),
  expiresSec: z.number().int(),
  gbVersion: GbVersion,
  userAgent: z.string().nullable(),
  at: z.string(),
});
export type DeviceRegistered = z.infer<typeof DeviceRegistered>;

export const OfflineReason = z.enum([
  'keepalive-timeout',
  'registration-expired',
  'unregistered',
  'connection-closed',
  /**
   * Not reported by the gateway: the platform found the device stored online with no sign of life for longer
   * than interval × count (it died while the platform or the gateway was down) and marked it offline itself.
   */
  'restart-reconcile',
]);
export type OfflineReason = z.infer<typeof OfflineReason>;

export const DeviceOffline = z.object({
  deviceId: z.string(),
  reason: OfflineReason,
  at: z.string(),
});
export type DeviceOffline = z.infer<typeof DeviceOffline>;

export const DeviceOnline = z.object({
  deviceId: z.string(),
  remoteAddress: z.string(),
  transport: SipTransport,
  at: z.string(),
});
export type DeviceOnline = z.infer<typeof DeviceOnline>;

/**
 * Keepalives are throttled by the gateway (at most one event per device per `keepaliveReportSec`)
 * so 5,000 keepalives/s do not become 5,000 database writes/s.
 */
export const DeviceKeepalive = z.object({
  deviceId: z.string(),
  remoteAddress: z.string(),
  at: z.string(),
});
export type DeviceKeepalive = z.infer<typeof DeviceKeepalive>;

export const DeviceInfoReported = z.object({
  deviceId: z.string(),
  name: z.string().nullable(),
  manufacturer: z.string().nullable(),
  model: z.string().nullable(),
  firmware: z.string().nullable(),
  channelCount: z.number().int().nullable(),
  at: z.string(),
});
export type DeviceInfoReported = z.infer<typeof DeviceInfoReported>;

/** A catalog answer: complete when unique items reached SumNum, partial after a timeout. */
export const CatalogReceived = z.object({
  deviceId: z.string(),
  sn: z.number().int(),
  sumNum: z.number().int(),
  complete: z.boolean(),
  items: z.array(CatalogItem),
  at: z.string(),
});
export type CatalogReceived = z.infer<typeof CatalogReceived>;

export const CatalogChanged = z.object({
  deviceId: z.string(),
  changes: z.array(CatalogChange),
  at: z.string(),
});
export type CatalogChanged = z.infer<typeof CatalogChanged>;

/**
 * Platform → gateway: an admin changed a device's settings (PATCH /devices/:id). The gateway forgets the policy it
 * cached and applies the keepalive interval and count to the live presence record at once, without waiting for the
 * device's next REGISTER. Null = the gateway's default.
 */
export const DevicePolicyChanged = z.object({
  deviceId: z.string(),
  keepaliveIntervalSec: z.number().int().positive().nullable(),
  keepaliveCount: z.number().int().positive().nullable(),
  at: z.string(),
});
export type DevicePolicyChanged = z.infer<typeof DevicePolicyChanged>;

export const eventSchemas = {
  'device.registered': DeviceRegistered,
  'device.online': DeviceOnline,
  'device.offline': DeviceOffline,
  'device.keepalive': DeviceKeepalive,
  'device.info': DeviceInfoReported,
  'catalog.received': CatalogReceived,
  'catalog.changed': CatalogChanged,
  'inventory.device-policy-changed': DevicePolicyChanged,
  'media.keyframe-wanted': KeyframeWanted,
  'gateway.call-ended': CallEnded,
  'media.egress-ended': EgressEnded,
  'media.stream-ended': StreamEnded,
  'inventory.channel-changed': InventoryChannelChanged,
  'cascade.link-changed': UpperLinkChanged,
  'cascade.uppers-changed': UppersChanged,
  'cascade.shares-changed': SharesChanged,
  'cascade.relay-ended': RelayEnded,
} as const;

export type EventSchemas = typeof eventSchemas;
export type EventTopic = keyof EventSchemas;
export type EventPayload<T extends EventTopic> = z.infer<EventSchemas[T]>;
