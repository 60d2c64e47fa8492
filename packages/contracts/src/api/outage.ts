import { z } from 'zod';
import { channelIdOut, civilCodeOut, deviceIdOut } from './fields';

export const OutageHealth = z.enum(['offline', 'no-video', 'fault']);
export type OutageHealth = z.infer<typeof OutageHealth>;

export const Outage = z.object({
  channelId: channelIdOut,
  deviceId: deviceIdOut,
  name: z.string(),
  civilCode: civilCodeOut.nullable(),
  districtCode: civilCodeOut.nullable(),
  districtName: z.string().nullable(),
  address: z.string().nullable(),
  longitude: z.number().nullable(),
  latitude: z.number().nullable(),
  health: OutageHealth.describe('offline: device or camera down; no-video: VLOST; fault: DEFECT'),
  reason: z.string().describe('why, e.g. keepalive-timeout, OFF, VLOST'),
  since: z.string().describe('when the point went down (ISO 8601)'),
  downSeconds: z.number().int(),
  lastSeenAt: z.string().nullable().describe("device's last keepalive or registration"),
  importance: z.number().int().describe('2 for PTZ (dome) cameras, 1 otherwise; higher first among equals'),
});
export type Outage = z.infer<typeof Outage>;

const Counts = z.object({
  total: z.number().int(),
  online: z.number().int(),
  faulty: z.number().int(),
  onlineRate: z.number().describe('online / total, 0–1 (1 when there are no cameras)'),
});

export const OnlineRate = z.object({
  city: Counts,
  districts: z.array(Counts.extend({ code: civilCodeOut.nullable(), name: z.string().nullable() })),
});
export type OnlineRate = z.infer<typeof OnlineRate>;
