import { z } from 'zod';
import { MediaTransport, StreamInfo } from './play';

/**
 * A channel's live stream and its one owner (docs/ARCHITECTURE.md "Live play"): the media server holding the lease
 * `stream:<channelId>` opens the ingest, INVITEs the camera through the gateway, answers keyframe requests and ends
 * the upstream after the grace period. The platform asks once (`media.viewer`) and is told when it ends
 * (`media.stream-ended`); the record under `streamRecordKey(channelId)` in the key/value store is what any platform
 * replica lists and stops.
 */

/** Lease key of a channel's stream (LeaseStore). */
export function streamLeaseKey(channelId: string): string {
  return `stream:${channelId}`;
}

/** Key/value store key of a channel's stream record. */
export const STREAM_RECORD_PREFIX = 'media/streams/';
export function streamRecordKey(channelId: string): string {
  return `${STREAM_RECORD_PREFIX}${channelId}`;
}

/** `view`: a browser over WHEP; `relay`: an egress to an upper platform (cascade). Both are readers of the stream. */
export const StreamPurpose = z.enum(['view', 'relay']);
export type StreamPurpose = z.infer<typeof StreamPurpose>;

export const ViewerRequest = z.object({
  channelId: z.string(),
  deviceId: z.string(),
  /** Kept in the stream record so that a platform lists and stops only what a user's jurisdiction covers. */
  civilCode: z.string().nullable(),
  transport: MediaTransport,
  /** Realm of the platform (first 10 digits of its ID), for the SSRC's digits 2–6 (GB/T 28181 §9.2.1 notes §1.6). */
  realm: z.string(),
  purpose: StreamPurpose,
  /** How long the requester waits; the owner gives up the start (and hangs up) after it. */
  timeoutMs: z.number().int().positive(),
  /** Set when a media server forwards the request to the owner node, which does not forward it again. */
  forwardedBy: z.string().optional(),
});
export type ViewerRequest = z.infer<typeof ViewerRequest>;

export const ViewerAnswer = z.object({
  streamId: z.string(),
  /** The owner node (node-addressed commands about this stream go there). */
  node: z.string(),
  /** The owner's public WHEP base URL (TESSERA_MEDIA_PUBLIC_URL); the viewer POSTs to `<whepBase>/whep/<streamId>`. */
  whepBase: z.string(),
  /** The owner's ingest, for an egress (`media.open-egress` addressed to `node`). */
  ingestId: z.string(),
  stream: StreamInfo,
  /** false when this request started the upstream, true when it joined a live one. */
  shared: z.boolean(),
});
export type ViewerAnswer = z.infer<typeof ViewerAnswer>;

export const StreamStopRequest = z.object({ streamId: z.string(), reason: z.string() });

export const StreamState = z.enum(['starting', 'live', 'ending']);
export type StreamState = z.infer<typeof StreamState>;

/** What the key/value store keeps of a live stream, written by its owner. */
export const StreamRecord = z.object({
  streamId: z.string(),
  node: z.string(),
  channelId: z.string(),
  deviceId: z.string(),
  civilCode: z.string().nullable(),
  transport: MediaTransport,
  state: StreamState,
  viewers: z.number().int(),
  codec: z.enum(['h264', 'h265']).nullable(),
  startedAt: z.string(),
  /** The gateway's call feeding it; a new owner taking an expired lease hangs this up first. */
  callId: z.string().nullable(),
  /** Epoch ms until which the owner's lease was last renewed: a record past it is a dead owner's leftover. */
  leaseExpiresAt: z.number(),
});
export type StreamRecord = z.infer<typeof StreamRecord>;

/** Published by the owner when the stream ended, for whatever reason (the platform tells the console). */
export const StreamEnded = z.object({
  streamId: z.string(),
  channelId: z.string(),
  node: z.string(),
  civilCode: z.string().nullable(),
  reason: z.string(),
  at: z.string(),
});
export type StreamEnded = z.infer<typeof StreamEnded>;
