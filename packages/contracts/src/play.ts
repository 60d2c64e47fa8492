import { z } from 'zod';

/**
 * Live play (GB/T 28181 §9.2, notes §1.6): the platform opens an ingest on the media server, the gateway INVITEs
 * the channel with that address and SSRC, the media server waits for the first keyframe. One upstream per channel,
 * shared by every viewer. These are the bus messages between the three.
 */
export const MediaTransport = z.enum(['udp', 'tcp-passive', 'tcp-active']);
/** udp: RTP/AVP; tcp-passive: we listen, the device connects; tcp-active: we connect to the device's port. */
export type MediaTransport = z.infer<typeof MediaTransport>;

export const VideoCodec = z.enum(['h264', 'h265']);
export type VideoCodec = z.infer<typeof VideoCodec>;

/** 10 decimal digits: 0 live / 1 history, digits 2–6 of the domain, 4-digit stream index (notes §1.6). */
export const GbSsrc = z.string().regex(/^\d{10}$/);

export const OpenIngestRequest = z.object({
  sessionId: z.string(),
  channelId: z.string(),
  transport: MediaTransport,
  /** Realm of the platform (first 10 digits of its ID), for the SSRC's digits 2–6. */
  realm: z.string(),
});
export const OpenIngestResult = z.object({
  ingestId: z.string(),
  /** Address to put in the SDP c=/m= lines. */
  host: z.string(),
  port: z.number().int(),
  ssrc: GbSsrc,
});
export type OpenIngestResult = z.infer<typeof OpenIngestResult>;

export const ConnectIngestRequest = z.object({
  ingestId: z.string(),
  /** The device's answer: its media address (tcp-active: where we connect) and the SSRC it will really use. */
  host: z.string(),
  port: z.number().int(),
  ssrc: GbSsrc.nullable(),
});

export const AwaitKeyframeRequest = z.object({
  ingestId: z.string(),
  timeoutMs: z.number().int().positive(),
});
export const StreamInfo = z.object({
  codec: VideoCodec,
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
});
export type StreamInfo = z.infer<typeof StreamInfo>;

export const CloseIngestRequest = z.object({ ingestId: z.string(), reason: z.string() });

export const InviteRequest = z.object({
  sessionId: z.string(),
  deviceId: z.string(),
  channelId: z.string(),
  sessionName: z.enum(['Play', 'Playback', 'Download']),
  mediaHost: z.string(),
  mediaPort: z.number().int(),
  transport: MediaTransport,
  ssrc: GbSsrc,
  /** Playback/Download window, Unix seconds (t= line); null for Play. */
  startTime: z.number().int().nullable(),
  endTime: z.number().int().nullable(),
  /**
   * How long the requester waits for the device's answer (below the command's own deadline). The gateway then
   * CANCELs the INVITE (RFC 3261 §9.1), so that the camera does not stream to nobody. Default: the gateway's own
   * INVITE timeout (10 s).
   */
  answerTimeoutMs: z.number().int().positive().optional(),
});
export type InviteRequest = z.infer<typeof InviteRequest>;

/**
 * Why an INVITE failed: `refused` the device answered ≥ 300; `no-answer` no final answer in time (Timer B or
 * the deadline); `not-registered` the device is not registered with this gateway, nothing was sent;
 * `unreachable` the request could not be sent (transport error); `gateway-closing` the gateway is stopping.
 */
export const InviteFailureCause = z.enum([
  'refused',
  'no-answer',
  'not-registered',
  'unreachable',
  'gateway-closing',
]);
export type InviteFailureCause = z.infer<typeof InviteFailureCause>;

export const InviteResult = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    callId: z.string(),
    /** From the device's SDP; null when its 200 had no SDP (srs-bench does that). */
    deviceHost: z.string().nullable(),
    devicePort: z.number().int().nullable(),
    ssrc: GbSsrc.nullable(),
    setup: z.enum(['active', 'passive']).nullable(),
  }),
  z.object({
    ok: z.literal(false),
    /** What the gateway knows of the failure; only `refused` is an answer from the device. */
    cause: InviteFailureCause,
    /** Whether an INVITE reached the wire: false means the device was never asked. */
    inviteSent: z.boolean(),
    /**
     * SIP status: the device's answer for `refused`; otherwise the status RFC 3261 has a SIP element answer with
     * (408 no answer, 480 not registered, 503 unreachable or closing), e.g. for a cascade relay to an upper.
     */
    status: z.number().int(),
    reason: z.string(),
  }),
]);
export type InviteResult = z.infer<typeof InviteResult>;

export const ByeRequest = z.object({ callId: z.string() });
export const Done = z.object({ ok: z.literal(true) });

/** Events. */
/**
 * A call is over. `hung-up`: a replica that did not place it ended it from its dialog record (`gateway.bye`), so the
 * replica holding it in memory forgets it too.
 */
export const CallEnded = z.object({
  callId: z.string(),
  sessionId: z.string(),
  reason: z.enum(['device-bye', 'device-offline', 'hung-up', 'error']),
  at: z.string(),
});
export type CallEnded = z.infer<typeof CallEnded>;

/** A viewer lost the picture (RTCP PLI/FIR): the camera should send a keyframe. Throttled by the media server. */
export const KeyframeWanted = z.object({
  ingestId: z.string(),
  sessionId: z.string(),
  reason: z.enum(['pli', 'fir']),
  at: z.string(),
});
export type KeyframeWanted = z.infer<typeof KeyframeWanted>;

/** Ask a channel for a keyframe now (GB/T 28181 DeviceControl IFameCmd Send). */
export const KeyframeRequest = z.object({ deviceId: z.string(), channelId: z.string() });
export const KeyframeResult = z.object({ status: z.number().int() });
