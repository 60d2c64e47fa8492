import { z } from 'zod';
import { channelIdOut, deviceIdOut, isoTime, onlineStatus } from './fields';

/**
 * The data of each Server-Sent Event of `GET /api/v1/events` (platform/src/services/live-event.service.ts writes
 * them, the console's web/src/api/events.ts reads them), by event name.
 */
export const DeviceStatusEvent = z.object({
  deviceId: deviceIdOut,
  status: onlineStatus,
  reason: z.string().nullable().describe('why it went offline, e.g. keepalive-timeout; null when online'),
  at: isoTime,
});
export type DeviceStatusEvent = z.infer<typeof DeviceStatusEvent>;

export const ChannelStatusEvent = z.object({
  deviceId: deviceIdOut,
  channelId: channelIdOut,
  status: onlineStatus,
  lastEvent: z.string().nullable().describe('the catalog event that changed it (ON, OFF, VLOST, DEFECT…)'),
  at: isoTime,
});
export type ChannelStatusEvent = z.infer<typeof ChannelStatusEvent>;

export const CatalogUpdatedEvent = z.object({
  deviceId: deviceIdOut,
  upserted: z.number().int(),
  removed: z.number().int(),
  at: isoTime,
});
export type CatalogUpdatedEvent = z.infer<typeof CatalogUpdatedEvent>;

/** A live session ended for every viewer (device BYE, media timeout, no viewers…). */
export const StreamEndedEvent = z.object({
  sessionId: z.string(),
  channelId: channelIdOut,
  reason: z.string().describe('e.g. `call device-bye`, `media timeout`, `no-viewers`'),
  at: isoTime,
});
export type StreamEndedEvent = z.infer<typeof StreamEndedEvent>;

/** The last event of a stream whose token was revoked or expired: the console goes to its login page. */
export const SessionEndReason = z.enum(['expired', 'revoked']);
export type SessionEndReason = z.infer<typeof SessionEndReason>;

export const SessionEndedEvent = z.object({ reason: SessionEndReason, at: isoTime });
export type SessionEndedEvent = z.infer<typeof SessionEndedEvent>;

/** Every event of the stream, named as the SSE `event:` field names it. */
export type LiveEvent =
  | { name: 'device.status'; data: DeviceStatusEvent }
  | { name: 'channel.status'; data: ChannelStatusEvent }
  | { name: 'catalog.updated'; data: CatalogUpdatedEvent }
  | { name: 'stream.ended'; data: StreamEndedEvent }
  | { name: 'session.ended'; data: SessionEndedEvent };
