import { z } from 'zod';

import { gbId } from './fields';

export const ChannelIdParam = gbId;

export const PlayResponse = z.object({
  sessionId: z.string(),
  /** The owner media server's WHEP endpoint: POST an SDP offer with `token` as `Authorization: Bearer` (never in the URL). */
  whepUrl: z.string(),
  token: z.string(),
  codec: z.enum(['h264', 'h265']),
  /** What the browser receives: H.265 cameras are transcoded to H.264. */
  deliveredCodec: z.enum(['h264']),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  /** Viewer token expiry; ask again to keep watching after it. */
  expiresAt: z.string(),
  /** false when this request started the upstream, true when it joined a live one. */
  shared: z.boolean(),
});
export type PlayResponse = z.infer<typeof PlayResponse>;

export const LiveSessionView = z.object({
  sessionId: z.string(),
  channelId: z.string(),
  deviceId: z.string(),
  state: z.enum(['starting', 'live', 'ending']),
  transport: z.enum(['udp', 'tcp-passive', 'tcp-active']),
  codec: z.enum(['h264', 'h265']).nullable(),
  viewers: z.number().int(),
  startedAt: z.string(),
});
export type LiveSessionView = z.infer<typeof LiveSessionView>;
