import { z } from 'zod';
import { deviceIdOut, gbId, isoTime, onlineStatus } from './fields';

export const DeviceSummary = z.object({
  deviceId: deviceIdOut,
  name: z.string().nullable(),
  manufacturer: z.string().nullable(),
  model: z.string().nullable(),
  status: onlineStatus,
  transport: z.enum(['udp', 'tcp']).nullable(),
  remoteAddress: z.string().nullable().describe('packet source ip:port of the last registration/keepalive'),
  registeredAt: isoTime.nullable(),
  lastKeepaliveAt: isoTime.nullable(),
  channelCount: z.number().int().describe('cameras of this device the caller can see'),
});
export type DeviceSummary = z.infer<typeof DeviceSummary>;

export const DeviceDetail = DeviceSummary.extend({
  kind: z.string(),
  firmware: z.string().nullable(),
  gbVersion: z.enum(['2016', '2022', 'unknown']).nullable(),
  userAgent: z.string().nullable(),
  offlineReason: z.string().nullable(),
  offlineAt: isoTime.nullable(),
  hasPassword: z.boolean().describe('a per-device SIP password is set (never returned)'),
  charset: z.string().nullable(),
  keepaliveIntervalSec: z.number().int().nullable(),
  keepaliveCount: z.number().int().nullable(),
  enabled: z.boolean(),
  createdAt: isoTime,
  updatedAt: isoTime,
});
export type DeviceDetail = z.infer<typeof DeviceDetail>;

const deviceSettings = {
  name: z.string().min(1).max(128).nullable().optional(),
  password: z
    .string()
    .min(1)
    .max(128)
    .nullable()
    .optional()
    .describe(
      "per-device SIP digest password; kept only as HA1 for the gateway's realm (set it again after the SIP ID changes), never returned",
    ),
  charset: z
    .string()
    .regex(/^[A-Za-z0-9_-]{2,32}$/, { message: 'must be a charset name such as gb18030 or utf-8' })
    .nullable()
    .optional(),
  enabled: z.boolean().optional(),
  keepaliveIntervalSec: z.number().int().min(1).max(3600).nullable().optional(),
  keepaliveCount: z.number().int().min(1).max(100).nullable().optional(),
};

export const CreateDeviceBody = z.object({ deviceId: gbId, ...deviceSettings }).strict();
export type CreateDeviceBody = z.infer<typeof CreateDeviceBody>;

export const UpdateDeviceBody = z
  .object(deviceSettings)
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: 'at least one field is required' });
export type UpdateDeviceBody = z.infer<typeof UpdateDeviceBody>;

export const DeviceIdParam = gbId;

export const CatalogRefreshResponse = z.object({
  sn: z.number().int(),
  complete: z.boolean(),
  itemCount: z.number().int(),
  sumNum: z.number().int(),
});
export type CatalogRefreshResponse = z.infer<typeof CatalogRefreshResponse>;
