import { z } from 'zod';
import { civilCode, gbId, isoTime } from './fields';

const remapEntry = z.object({ id: gbId.optional(), name: z.string().min(1).max(128).optional() }).strict();

/** What an admin configures for one upper platform (cascade). */
export const UpperPlatformBody = z
  .object({
    name: z.string().min(1).max(128),
    sipId: gbId,
    domain: z.string().min(1).max(128),
    host: z.string().min(1).max(255),
    port: z.number().int().min(1).max(65535),
    transport: z.enum(['udp', 'tcp']).default('udp'),
    /** Our ID as the upper knows us; omitted = the gateway's SIP ID. */
    localId: gbId.nullable().default(null),
    /**
     * Omitted on a replace: the stored password stays (it is never sent back, so a form cannot echo it); '' removes
     * it. Stored encrypted with TESSERA_SECRETS_KEY: without that key a password is refused (400).
     */
    password: z.string().max(256).optional(),
    registerExpiresSec: z.number().int().min(60).max(86_400).default(3600),
    keepaliveIntervalSec: z.number().int().min(1).max(3600).default(60),
    keepaliveCount: z.number().int().min(1).max(100).default(3),
    charset: z.enum(['gb2312', 'gb18030', 'utf-8']).default('gb2312'),
    enabled: z.boolean().default(true),
    /** Channels shared: under these civil-code subtrees, of these devices, or these channels (union). */
    shareCivilCodes: z.array(civilCode).max(1000).default([]),
    shareDeviceIds: z.array(gbId).max(10_000).default([]),
    shareChannelIds: z.array(gbId).max(100_000).default([]),
    /** Local channel ID → the ID and/or name this upper is shown. */
    remap: z.record(gbId, remapEntry).default({}),
    /**
     * The local channel that answers an INVITE for our own ID (uppers such as SRS treat a lower platform as one
     * device and invite the platform's ID). Naming it here shares it with this upper; null = such an INVITE is 404.
     * Omitted on a replace: the stored one stays (the console's form does not carry it yet).
     */
    platformChannelId: gbId.nullable().optional(),
  })
  .strict();
export type UpperPlatformBody = z.infer<typeof UpperPlatformBody>;

export const UpperPlatformView = z.object({
  id: z.string(),
  name: z.string(),
  sipId: z.string(),
  domain: z.string(),
  host: z.string(),
  port: z.number().int(),
  transport: z.enum(['udp', 'tcp']),
  localId: z.string().nullable(),
  registerExpiresSec: z.number().int(),
  keepaliveIntervalSec: z.number().int(),
  keepaliveCount: z.number().int(),
  charset: z.enum(['gb2312', 'gb18030', 'utf-8']),
  enabled: z.boolean(),
  shareCivilCodes: z.array(z.string()),
  shareDeviceIds: z.array(z.string()),
  shareChannelIds: z.array(z.string()),
  remap: z.record(z.string(), z.object({ id: z.string().optional(), name: z.string().optional() })),
  platformChannelId: z.string().nullable(),
  /** The link as the gateway last reported it. */
  link: z.object({
    state: z.enum(['disabled', 'registering', 'registered', 'failed']),
    detail: z.string().nullable(),
    retryAt: isoTime.nullable(),
    changedAt: isoTime.nullable(),
  }),
  /** Channels this upper currently sees. */
  sharedChannels: z.number().int(),
});
export type UpperPlatformView = z.infer<typeof UpperPlatformView>;
