import { randomInt } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { EgressEnded, MediaTransport } from '@tessera/contracts';
import type { Logger } from '@tessera/kit';
import {
  MediaEncodeError,
  type VideoAccessUnit,
  nalClassifierFor,
  type VideoCodec,
  PsMuxer,
  RtpPacketizer,
} from '@tessera/media-protocols';
import type { RtpEgressSink } from '../servers/rtp/rtp-egress-sink';
import { RtpTimeline } from '../webrtc/rtp-timeline';
import type { GbSsrc } from './gb-ssrc';
import type { Ingest, IngestEgress } from './ingest';
import type { LiveStreamSubscription } from './live-stream';

export type EgressEndReason = EgressEnded['reason'];

export interface EgressStats {
  /** Frames sent, and how many of them were keyframes. */
  frames: number;
  keyframes: number;
  /** Frames sent as a start: the cached GOP (the upper's first picture comes from it) or the next keyframe. */
  burstFrames: number;
  packets: number;
  bytes: number;
  /** Frames skipped because the upper did not keep up (then until the next keyframe). */
  droppedFrames: number;
  /** Times the stream (re)started at a keyframe: the first connection, a reconnection, a codec change. */
  starts: number;
  /** TCP active: connect attempts; TCP: connections made or accepted. */
  connectAttempts: number;
  connections: number;
  /** Bytes queued in this process for the upper right now. */
  queuedBytes: number;
}

export interface EgressOptions {
  readonly id: string;
  readonly ingest: Ingest;
  /** The upper's `y=`: the RTP SSRC of everything we send it. */
  readonly ssrc: GbSsrc;
  readonly sink: RtpEgressSink;
  readonly logger: Logger;
  /** RTP payload bytes (default 1400, under a 1500-byte MTU with IP/UDP headers). */
  readonly maxPayloadSize?: number;
}

export interface EgressEvents {
  /** Emitted once, by `close()` or when the egress ended by itself. */
  close: [reason: EgressEndReason];
}

const PTS_WRAP = 2 ** 33;
/** A composition offset (PTS − DTS) beyond this is a broken timestamp, not B-frame reordering. */
const MAX_COMPOSITION_OFFSET = 90_000;

/**
 * One ingest's live stream sent onward to an upper platform (cascade, notes §1.8): every access unit of the
 * ingest's `LiveStream` → MPEG-PS (`PsMuxer`: pack header per frame, system header + PSM on keyframes) → RTP
 * PT 96, PS/90000, SSRC = the upper's `y=` → the sink (UDP, or RFC 4571 on TCP).
 *
 * - The original codec is sent (H.265 stays H.265): an upper platform takes PS, not WebRTC, so nothing needs
 *   transcoding. Video only for now: the live stream carries no audio (the ingest counts and drops it).
 * - It starts with the ingest's cached GOP as soon as the sink can send (UDP at once, TCP once connected), so the
 *   upper decodes a picture at once instead of waiting up to a GOP; those frames are squeezed one 90 kHz tick
 *   apart (as for WebRTC viewers) so the upper is not left a GOP behind, then timing follows the camera's.
 *   Each (re)connection and codec change starts again this way.
 * - A slow upper does not grow memory: while the sink is congested frames are dropped, and sending resumes at
 *   the next keyframe so the upper can decode again.
 *
 * Ownership: the egress owns its sink (sockets) and its subscription; `close()` (idempotent) releases both and
 * leaves the ingest's viewer count.
 */
export class Egress extends EventEmitter<EgressEvents> implements IngestEgress {
  readonly id: string;
  readonly ingest: Ingest;
  readonly ssrc: GbSsrc;
  readonly sink: RtpEgressSink;
  readonly #logger: Logger;
  readonly #packetizer: RtpPacketizer;
  readonly #counts = {
    frames: 0,
    keyframes: 0,
    burstFrames: 0,
    packets: 0,
    bytes: 0,
    droppedFrames: 0,
    starts: 0,
  };
  #subscription: LiveStreamSubscription | undefined;
  #muxer: { codec: VideoCodec; muxer: PsMuxer } | undefined;
  #timeline: RtpTimeline | undefined;
  #waitForKeyframe = true;
  #closeReason: EgressEndReason | undefined;

  constructor(options: EgressOptions) {
    super();
    this.id = options.id;
    this.ingest = options.ingest;
    this.ssrc = options.ssrc;
    this.sink = options.sink;
    this.#logger = options.logger;
    this.#packetizer = new RtpPacketizer({
      ssrc: options.ssrc.value,
      payloadType: 96,
      maxPayloadSize: options.maxPayloadSize ?? 1400,
    });
    this.sink.on('connected', (remote) => {
      this.#logger.info({ remote }, 'upper connected');
      this.#start();
    });
    this.sink.on('ended', (reason) => this.close(reason));
  }

  get transport(): MediaTransport {
    return this.sink.transport;
  }

  get port(): number {
    return this.sink.port;
  }

  get closed(): boolean {
    return this.#closeReason !== undefined;
  }

  /** Sending (the sink is up and the stream was started). */
  get sending(): boolean {
    return this.#subscription !== undefined;
  }

  get stats(): EgressStats {
    return {
      ...this.#counts,
      connectAttempts: this.sink.stats.connectAttempts,
      connections: this.sink.stats.connections,
      queuedBytes: this.sink.queuedBytes,
    };
  }

  /** Joins the ingest as one of its viewers and starts sending when the sink can (UDP: now). */
  open(): void {
    this.ingest.addEgress(this);
    if (this.sink.ready) this.#start();
  }

  streamEnded(): void {
    this.close('stream-ended');
  }

  codecChanged(codec: VideoCodec): void {
    this.#logger.info({ codec }, 'codec changed; restarting at the next keyframe');
    if (this.#subscription) this.#start();
  }

  close(reason: EgressEndReason = 'closed'): void {
    if (this.#closeReason !== undefined) return;
    this.#closeReason = reason;
    this.#subscription?.unsubscribe();
    this.#subscription = undefined;
    this.sink.close();
    this.ingest.removeEgress(this.id);
    this.#logger.info({ reason, stats: this.stats }, 'egress closed');
    this.emit('close', reason);
    this.removeAllListeners();
  }

  /** (Re)subscribes: the cached GOP now when there is one, else from the next keyframe. */
  #start(): void {
    if (this.closed) return;
    this.#subscription?.unsubscribe();
    this.#counts.starts++;
    this.#waitForKeyframe = true;
    // A fresh timeline: the new peer (or decoder) has no past to be continuous with.
    this.#timeline = new RtpTimeline({ initial: randomInt(0, 2 ** 32), wrap: PTS_WRAP });
    this.#subscription = this.ingest.live.subscribe({
      start: (gop) => this.#sendBurst(gop),
      accessUnit: (au) => this.#send(au, undefined),
    });
  }

  #sendBurst(gop: readonly VideoAccessUnit[]): void {
    const timeline = this.#timeline!;
    const times = timeline.burst(gop.map(decodeTime));
    gop.forEach((au, i) => {
      if (this.#send(au, times[i]!)) this.#counts.burstFrames++;
    });
  }

  /** Sends one frame (`dts` given for burst frames, else from the timeline); false when it was dropped. */
  #send(au: VideoAccessUnit, burstDts: number | undefined): boolean {
    if (this.closed) return false;
    const timeline = this.#timeline!;
    // Advance the timeline for every frame, sent or not, so timing stays continuous across drops.
    const dts = burstDts ?? timeline.next(decodeTime(au));
    if (this.sink.congested || !this.sink.ready) {
      // A live stream cannot wait: drop, and resume at a keyframe so the upper can decode again.
      this.#waitForKeyframe = true;
      this.#counts.droppedFrames++;
      return false;
    }
    if (this.#waitForKeyframe && !au.keyframe) {
      this.#counts.droppedFrames++;
      return false;
    }
    this.#waitForKeyframe = false;
    const pts = (dts + compositionOffset(au)) % PTS_WRAP;
    let packets: Buffer[];
    try {
      const ps = this.#muxerFor(au.codec).muxVideo({
        nalus: au.keyframe ? withParameterSets(au) : au.nalus,
        pts,
        dts,
        keyframe: au.keyframe,
      });
      // RTP timestamp = DTS (mod 2^32): monotonic, which receivers' jitter buffers expect.
      packets = this.#packetizer.packetize(ps, dts);
    } catch (error) {
      if (!(error instanceof MediaEncodeError)) throw error;
      this.#logger.warn({ err: error }, 'frame not encodable; skipped');
      this.#waitForKeyframe = true;
      this.#counts.droppedFrames++;
      return false;
    }
    this.sink.send(packets);
    this.#counts.frames++;
    if (au.keyframe) this.#counts.keyframes++;
    this.#counts.packets += packets.length;
    for (const packet of packets) this.#counts.bytes += packet.length;
    return true;
  }

  /** One muxer per codec: a codec change needs a new PSM (stream type), which the next keyframe carries. */
  #muxerFor(codec: VideoCodec): PsMuxer {
    if (this.#muxer?.codec !== codec) this.#muxer = { codec, muxer: new PsMuxer({ video: codec }) };
    return this.#muxer.muxer;
  }
}

function decodeTime(au: VideoAccessUnit): number | undefined {
  return au.dts ?? au.pts;
}

/** PTS − DTS (B-frames), kept when plausible. Cameras on GB/T 28181 send no B-frames, so this is mostly 0. */
function compositionOffset(au: VideoAccessUnit): number {
  if (au.pts === undefined || au.dts === undefined) return 0;
  const offset = (((au.pts - au.dts) % PTS_WRAP) + PTS_WRAP) % PTS_WRAP;
  return offset <= MAX_COMPOSITION_OFFSET ? offset : 0;
}

/**
 * A keyframe's NAL units with the parameter sets in front when the camera sent them out of band (earlier in the
 * stream): the upper starts decoding at this keyframe and must find them in it.
 */
function withParameterSets(au: VideoAccessUnit): readonly Uint8Array[] {
  const classifier = nalClassifierFor(au.codec);
  const present = new Set<string>();
  for (const nal of au.nalus) {
    const kind = classifier.parameterSetKind(nal);
    if (kind) present.add(kind);
  }
  const sets =
    au.codec === 'h265' ? [au.track.vps, au.track.sps, au.track.pps] : [au.track.sps, au.track.pps];
  const kinds = au.codec === 'h265' ? ['vps', 'sps', 'pps'] : ['sps', 'pps'];
  const missing = sets.filter((set, i): set is Buffer => set !== undefined && !present.has(kinds[i]!));
  if (missing.length === 0) return au.nalus;
  // After an access unit delimiter, which must stay first.
  const first = au.nalus[0];
  const aud = first !== undefined && isAud(au.codec, first);
  return aud ? [first, ...missing, ...au.nalus.slice(1)] : [...missing, ...au.nalus];
}

function isAud(codec: VideoCodec, nal: Uint8Array): boolean {
  return codec === 'h264' ? (nal[0]! & 0x1f) === 9 : ((nal[0]! >> 1) & 0x3f) === 35;
}
