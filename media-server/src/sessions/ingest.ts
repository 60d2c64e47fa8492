import { EventEmitter } from 'node:events';
import type { MediaTransport, StreamInfo } from '@tessera/contracts';
import type { Clock, Logger, TimerHandle } from '@tessera/kit';
import {
  RtpParseError,
  type AudioFrame,
  type VideoAccessUnit,
  type AudioCodec,
  type VideoCodec,
  type PsDemuxerEvent,
  PsRtpDepacketizer,
  parseRtpPacket,
  type RtpPacket,
} from '@tessera/media-protocols';
import { IngestClosedError, MediaTimeoutError } from '../errors';
import type { DeviceEndpoint, RemoteAddress, RtpSource } from '../servers/rtp/rtp-source';
import type { GbSsrc } from './gb-ssrc';
import { BitrateMeter, type IngestStats } from './ingest-stats';
import { LiveStream, type LiveStreamOptions } from './live-stream';
import { RtpSourceLatch, type RtpStreamKey } from './rtp-source-latch';
import type { AudioTranscoder, AudioTranscoderFactory, OpusPacket } from './audio-transcoder';
import type { TranscoderFactory, VideoTranscoder } from './transcoder';

export type IngestEndReason = 'media-timeout' | 'connection-closed' | 'closed';

/** Something an ingest owns and closes with it: a WebRTC viewer. */
export interface IngestViewer {
  readonly id: string;
  close(): void;
}

/**
 * A relay of the ingest's own stream to an upper platform (PS over RTP). It counts as a viewer — the platform
 * keeps the upstream while anyone watches — but it is not a WebRTC viewer: it needs no transcoder, and PS names
 * its codec in-band, so it follows a codec change instead of being closed.
 */
export interface IngestEgress {
  readonly id: string;
  /** The ingest ended: the egress ends with it. */
  streamEnded(): void;
  /** The live stream's codec changed and its subscribers were dropped: start again at the next keyframe. */
  codecChanged(codec: VideoCodec): void;
}

export interface IngestEvents {
  /** The first keyframe with its parameter sets was demuxed. */
  'stream-info': [info: StreamInfo];
  /** The number of viewers (WebRTC viewers + egresses) changed. */
  viewers: [count: number];
  /** Emitted once, by `close()` or when the ingest ended by itself. */
  close: [reason: IngestEndReason];
}

export interface IngestOptions {
  readonly id: string;
  readonly sessionId: string;
  readonly channelId: string;
  readonly transport: MediaTransport;
  /** The SSRC we offered (`y=`). */
  readonly ssrc: GbSsrc;
  readonly source: RtpSource;
  readonly clock: Clock;
  readonly logger: Logger;
  /** No RTP for this long after the device answered (or after the last packet) ends the ingest. */
  readonly mediaTimeoutMs: number;
  /** How long to wait for the device's answer (`media.connect-ingest`); covers a slow INVITE. */
  readonly answerTimeoutMs: number;
  readonly liveStream?: LiveStreamOptions;
  /** Makes H.264 out of H.265 for viewers; without it H.265 sessions cannot be watched. */
  readonly transcoder?: TranscoderFactory;
  /** Makes Opus out of AAC for WebRTC viewers that want sound; without it they get none from an AAC camera. */
  readonly audioTranscoder?: AudioTranscoderFactory;
}

/** A lease on the H.264 stream of an ingest; `release()` (idempotent) lets an idle transcoder stop. */
export interface H264FeedLease {
  readonly feed: LiveStream;
  release(): void;
}

/**
 * RTP that arrives before a stream is latched — before the device's answer (it may start sending on its 200 OK,
 * before the platform passes the answer on), or during the stream's probation — is held so that the first
 * keyframe is not lost, then the latched stream's packets are replayed. A 1080p keyframe is ~100–300 datagrams;
 * beyond these bounds packets are dropped and counted (the picture then starts at the next keyframe).
 */
const HOLD_MAX_PACKETS = 1024;
/** Per ingest; ingests wait for an answer only during their INVITE, so few hold at once. */
const HOLD_MAX_BYTES = 1024 * 1024;

interface HeldPacket {
  readonly packet: RtpPacket;
  readonly from: RemoteAddress;
  readonly at: number;
}

interface KeyframeWaiter {
  resolve(info: StreamInfo): void;
  reject(error: Error): void;
  timer: TimerHandle;
}

/**
 * One play session's upstream: the device's RTP (from its `RtpSource`), PS demuxed into access units, fed to
 * a `LiveStream` shared by every viewer. Ownership: the ingest owns its source (sockets), its live stream, the
 * transcoder while one runs, and its viewers; `close()` closes them all (idempotent).
 *
 * Ends by itself on the media timeout (no RTP for `mediaTimeoutMs`; before the device's answer, for
 * `answerTimeoutMs`) and when the device's TCP connection closes.
 */
export class Ingest extends EventEmitter<IngestEvents> {
  readonly id: string;
  readonly sessionId: string;
  readonly channelId: string;
  readonly transport: MediaTransport;
  readonly ssrc: GbSsrc;
  readonly source: RtpSource;
  readonly live: LiveStream;
  readonly openedAt: number;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #mediaTimeoutMs: number;
  readonly #depacketizer: PsRtpDepacketizer;
  readonly #latch: RtpSourceLatch;
  readonly #held: HeldPacket[] = [];
  #heldBytes = 0;
  readonly #bitrate: BitrateMeter;
  readonly #viewers = new Map<string, IngestViewer>();
  readonly #egresses = new Map<string, IngestEgress>();
  readonly #waiters = new Set<KeyframeWaiter>();
  /** Viewers relaying the camera's audio (WebRTC); not cached: audio joins live. */
  readonly #audioListeners = new Set<(frame: AudioFrame) => void>();
  #audioCodec: AudioCodec | undefined;
  readonly #audioTranscoderFactory: AudioTranscoderFactory | undefined;
  /** Running while `#opusListeners` is not empty. */
  #audioTranscoder: { transcoder: AudioTranscoder; unsubscribe: () => void } | undefined;
  readonly #opusListeners = new Set<(packet: OpusPacket) => void>();
  readonly #transcoderFactory: TranscoderFactory | undefined;
  #transcoder: VideoTranscoder | undefined;
  #transcoderLeases = 0;
  #answer: { endpoint: DeviceEndpoint; ssrc: GbSsrc | null } | undefined;
  #streamInfo: StreamInfo | undefined;
  #remote: RemoteAddress | undefined;
  #timeoutMs: number;
  #lastActivity: number;
  #timeoutTimer: TimerHandle | undefined;
  #pollTimer: TimerHandle | undefined;
  #closeReason: IngestEndReason | undefined;
  readonly #counts = {
    packets: 0,
    bytes: 0,
    malformedPackets: 0,
    overflowPackets: 0,
    frames: 0,
    keyframes: 0,
    audioFrames: 0,
  };

  constructor(options: IngestOptions) {
    super();
    this.id = options.id;
    this.sessionId = options.sessionId;
    this.channelId = options.channelId;
    this.transport = options.transport;
    this.ssrc = options.ssrc;
    this.source = options.source;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#mediaTimeoutMs = options.mediaTimeoutMs;
    this.#transcoderFactory = options.transcoder;
    this.#audioTranscoderFactory = options.audioTranscoder;
    this.openedAt = this.#clock.now();
    this.#bitrate = new BitrateMeter(this.openedAt);
    this.#latch = new RtpSourceLatch({ offered: options.ssrc.value });
    // TCP is in order: a sequence hole is data the device never sent, resynchronise at once.
    this.#depacketizer = new PsRtpDepacketizer({
      reorder: this.source.ordered ? { size: 1, clock: this.#clock } : { clock: this.#clock },
    });
    this.live = new LiveStream(options.liveStream);
    this.live.on('codec-change', (codec) => this.#onCodecChange(codec));
    this.live.on('subscriber-error', (error) => this.#logger.error({ err: error }, 'viewer failed'));

    this.source.on('packet', (packet, from) => this.#onPacket(packet, from));
    this.source.on('connected', (remote) => {
      this.#logger.info({ remote }, 'TCP connection');
      // Only the device's own host earns more time; anyone else connecting must not keep a dead session alive.
      if (this.#answer && (this.transport === 'tcp-active' || this.#latch.trusted(remote.address)))
        this.#touch();
    });
    this.source.on('ended', (reason) => this.close(reason));

    this.#timeoutMs = options.answerTimeoutMs;
    this.#lastActivity = this.openedAt;
    this.#armTimeout();
  }

  get port(): number {
    return this.source.port;
  }

  get closed(): boolean {
    return this.#closeReason !== undefined;
  }

  /** Codec and picture size, once the first keyframe was demuxed. */
  get streamInfo(): StreamInfo | undefined {
    return this.#streamInfo;
  }

  /** The device's answer, once `connect()` was called. */
  get answer(): { endpoint: DeviceEndpoint; ssrc: GbSsrc | null } | undefined {
    return this.#answer;
  }

  /** Source address of the stream being taken. */
  get remote(): RemoteAddress | undefined {
    return this.#remote;
  }

  /** Codec of the latest audio frame the camera sent in its PS, if any. */
  get audioCodec(): AudioCodec | undefined {
    return this.#audioCodec;
  }

  /** Audio frames from now on, until the returned function is called or the ingest closes. */
  subscribeAudio(listener: (frame: AudioFrame) => void): () => void {
    if (this.closed) return () => {};
    this.#audioListeners.add(listener);
    return () => this.#audioListeners.delete(listener);
  }

  /** An AAC → Opus transcoder runs (some viewer wants the camera's sound). */
  get transcodingAudio(): boolean {
    return this.#audioTranscoder !== undefined;
  }

  /** Opus can be made of the camera's audio (it sends AAC and a transcoder is configured). */
  get canTranscodeAudio(): boolean {
    return this.#audioCodec === 'aac' && this.#audioTranscoderFactory !== undefined;
  }

  /**
   * Opus packets made of the camera's AAC from now on; the transcoder runs while at least one listener is
   * subscribed. Returns the release function (idempotent). If ffmpeg fails, listeners simply get no more packets.
   */
  subscribeOpus(listener: (packet: OpusPacket) => void): () => void {
    if (this.closed || !this.#audioTranscoderFactory) return () => {};
    this.#opusListeners.add(listener);
    if (!this.#audioTranscoder) {
      const transcoder = this.#audioTranscoderFactory();
      transcoder.on('packet', (packet) => {
        for (const l of this.#opusListeners) {
          try {
            l(packet);
          } catch (error) {
            this.#logger.error({ err: error }, 'audio viewer failed');
          }
        }
      });
      transcoder.on('failed', () => {
        if (this.#audioTranscoder?.transcoder === transcoder) this.#stopAudioTranscoder();
      });
      const unsubscribe = this.subscribeAudio((frame) => transcoder.write(frame));
      this.#audioTranscoder = { transcoder, unsubscribe };
      this.#logger.info('audio transcoder started');
    }
    return () => {
      if (!this.#opusListeners.delete(listener)) return;
      if (this.#opusListeners.size === 0) this.#stopAudioTranscoder();
    };
  }

  /** WebRTC viewers and egresses: what the owning stream's grace period counts. */
  get viewerCount(): number {
    return this.#viewers.size + this.#egresses.size;
  }

  get egressCount(): number {
    return this.#egresses.size;
  }

  get transcoding(): boolean {
    return this.#transcoder !== undefined;
  }

  get stats(): IngestStats {
    const now = this.#clock.now();
    const reorder = this.#depacketizer.reorder.stats;
    const demuxer = this.#depacketizer.demuxer.stats;
    return {
      ...this.#counts,
      foreignPackets: this.#latch.foreignSsrcPackets,
      foreignSourcePackets: this.#latch.foreignSourcePackets,
      ssrcSwitches: this.#latch.switches,
      lost: reorder.lost,
      reordered: reorder.reordered,
      duplicates: reorder.duplicates,
      late: reorder.late,
      discontinuities: demuxer.discontinuities,
      bitrate: this.#bitrate.read(now),
      tcpGarbageBytes: this.source.stats.garbageBytes,
      tcpConnectAttempts: this.source.stats.connectAttempts,
      tcpRefusedConnections: this.source.stats.refusedConnections,
    };
  }

  /**
   * The device's SDP answer. Its host is trusted and its SSRC expected from now on (it may differ from ours); TCP
   * active connects to its address. Packets held meanwhile are replayed from the stream the latch takes. The media
   * timeout starts now.
   */
  connect(endpoint: DeviceEndpoint, ssrc: GbSsrc | null): void {
    if (this.closed) throw new IngestClosedError(this.id, this.#closeReason!);
    this.#answer = { endpoint, ssrc };
    this.#latch.answer(endpoint, ssrc?.value);
    this.source.setRemote(endpoint, ssrc?.value);
    this.#timeoutMs = this.#mediaTimeoutMs;
    this.#touch();
    this.#latchHeld();
  }

  /** Resolves with the codec and size once the first keyframe (with SPS) was demuxed. */
  awaitKeyframe(timeoutMs: number): Promise<StreamInfo> {
    if (this.#streamInfo) return Promise.resolve(this.#streamInfo);
    if (this.closed) return Promise.reject(new IngestClosedError(this.id, this.#closeReason!));
    return new Promise((resolve, reject) => {
      const waiter: KeyframeWaiter = {
        resolve,
        reject,
        timer: this.#clock.setTimeout(() => {
          this.#waiters.delete(waiter);
          reject(new MediaTimeoutError('keyframe', timeoutMs));
        }, timeoutMs),
      };
      this.#waiters.add(waiter);
    });
  }

  /**
   * The stream viewers get: the ingest's own when it is H.264; for H.265, the output of a transcoder that
   * runs while at least one lease is held.
   */
  leaseH264Feed(): H264FeedLease {
    if (this.closed) throw new IngestClosedError(this.id, this.#closeReason!);
    if (this.live.codec !== 'h265') return { feed: this.live, release: () => {} };
    if (!this.#transcoderFactory) throw new IngestClosedError(this.id, 'no transcoder for H.265');
    if (!this.#transcoder) {
      const transcoder = this.#transcoderFactory(this.live);
      transcoder.on('failed', (error) => {
        this.#logger.error({ err: error }, 'transcoder failed');
        if (this.#transcoder === transcoder) this.#stopTranscoder({ closeViewers: true });
      });
      this.#transcoder = transcoder;
      this.#logger.info('transcoder started');
    }
    const transcoder = this.#transcoder;
    this.#transcoderLeases++;
    let released = false;
    return {
      feed: transcoder.output,
      release: () => {
        if (released) return;
        released = true;
        if (this.#transcoder !== transcoder) return;
        this.#transcoderLeases--;
        if (this.#transcoderLeases === 0) this.#stopTranscoder({ closeViewers: false });
      },
    };
  }

  addViewer(viewer: IngestViewer): void {
    if (this.closed) {
      viewer.close();
      throw new IngestClosedError(this.id, this.#closeReason!);
    }
    this.#viewers.set(viewer.id, viewer);
    this.emit('viewers', this.viewerCount);
  }

  /** Called by a viewer that closed itself (left, ICE failed); closing the viewer is the caller's job. */
  removeViewer(id: string): void {
    if (!this.#viewers.delete(id)) return;
    if (!this.closed) this.emit('viewers', this.viewerCount);
  }

  addEgress(egress: IngestEgress): void {
    if (this.closed) throw new IngestClosedError(this.id, this.#closeReason!);
    this.#egresses.set(egress.id, egress);
    this.emit('viewers', this.viewerCount);
  }

  /** Called by an egress that ended (closed, its peer left); ending it is the caller's job. */
  removeEgress(id: string): void {
    if (!this.#egresses.delete(id)) return;
    if (!this.closed) this.emit('viewers', this.viewerCount);
  }

  viewer(id: string): IngestViewer | undefined {
    return this.#viewers.get(id);
  }

  close(reason: IngestEndReason = 'closed'): void {
    if (this.#closeReason !== undefined) return;
    this.#closeReason = reason;
    if (this.#timeoutTimer) this.#clock.clearTimeout(this.#timeoutTimer);
    if (this.#pollTimer) this.#clock.clearTimeout(this.#pollTimer);
    this.#timeoutTimer = undefined;
    this.#pollTimer = undefined;
    const hadViewers = this.viewerCount > 0;
    for (const viewer of [...this.#viewers.values()]) viewer.close();
    this.#viewers.clear();
    for (const egress of [...this.#egresses.values()]) egress.streamEnded();
    this.#egresses.clear();
    if (hadViewers) this.emit('viewers', 0);
    this.#stopTranscoder({ closeViewers: false });
    this.#stopAudioTranscoder();
    this.#opusListeners.clear();
    this.live.close();
    this.source.close();
    for (const waiter of this.#waiters) {
      this.#clock.clearTimeout(waiter.timer);
      waiter.reject(new IngestClosedError(this.id, reason));
    }
    this.#waiters.clear();
    this.#audioListeners.clear();
    this.#held.length = 0;
    this.#heldBytes = 0;
    this.#logger.info({ reason, stats: this.stats }, 'ingest closed');
    this.emit('close', reason);
    this.removeAllListeners();
  }

  #onPacket(data: Buffer, from: RemoteAddress): void {
    if (this.closed) return;
    const now = this.#clock.now();
    this.#counts.packets++;
    this.#counts.bytes += data.length;
    this.#bitrate.add(data.length, now);
    let packet: RtpPacket;
    try {
      packet = parseRtpPacket(data);
    } catch (error) {
      if (!(error instanceof RtpParseError)) this.#logger.error({ err: error }, 'packet parsing failed');
      this.#counts.malformedPackets++;
      return;
    }
    if (this.#latch.current) {
      this.#take(packet, from, now);
      return;
    }
    const key = { address: from.address, port: from.port, ssrc: packet.ssrc };
    if (this.#latch.observe(key, packet.sequenceNumber) !== 'hold') return;
    this.#hold({ packet, from, at: now }, data.length);
    if (this.#answer) this.#latchHeld();
  }

  /** After the answer: the packet feeds the session only if it belongs to the latched stream. */
  #take(packet: RtpPacket, from: RemoteAddress, now: number): void {
    const verdict = this.#latch.accept(from, packet.ssrc);
    if (verdict === 'foreign-source' || verdict === 'foreign-ssrc') return;
    if (verdict === 'latch') this.#onLatched({ address: from.address, port: from.port, ssrc: packet.ssrc });
    this.#lastActivity = Math.max(this.#lastActivity, now);
    this.#remote = from;
    let events: PsDemuxerEvent[];
    try {
      events = this.#depacketizer.push(packet);
    } catch (error) {
      // Parsers report bad input by RtpParseError; anything else is our bug, which must not take the
      // process (every other session) down from a socket callback.
      if (!(error instanceof RtpParseError)) this.#logger.error({ err: error }, 'packet handling failed');
      this.#counts.malformedPackets++;
      return;
    }
    this.#handle(events);
    if (!this.source.ordered) this.#armPoll();
  }

  #onLatched(stream: RtpStreamKey): void {
    this.#logger.info(
      { remote: { address: stream.address, port: stream.port }, ssrc: stream.ssrc },
      'stream latched',
    );
    this.source.latched({ address: stream.address, port: stream.port }, stream.ssrc);
  }

  #hold(held: HeldPacket, size: number): void {
    if (this.#held.length >= HOLD_MAX_PACKETS || this.#heldBytes + size > HOLD_MAX_BYTES) {
      this.#counts.overflowPackets++;
      return;
    }
    this.#held.push(held);
    this.#heldBytes += size;
  }

  /** After the answer: latch the best valid stream, if any yet, then feed its held packets (others are counted). */
  #latchHeld(): void {
    const best = this.#latch.latchBest();
    if (!best) return;
    this.#onLatched(best);
    const held = this.#held.splice(0);
    this.#heldBytes = 0;
    for (const { packet, from, at } of held) {
      this.#take(packet, from, at);
      if (this.closed) return;
    }
  }

  #handle(events: PsDemuxerEvent[]): void {
    for (const event of events) {
      if (event.type === 'video') this.#onVideo(event.accessUnit);
      else if (event.type === 'audio') this.#onAudio(event.frame);
      if (this.closed) return;
    }
  }

  #onAudio(frame: AudioFrame): void {
    this.#counts.audioFrames++;
    this.#audioCodec = frame.codec;
    for (const listener of this.#audioListeners) {
      try {
        listener(frame);
      } catch (error) {
        this.#logger.error({ err: error }, 'audio viewer failed');
      }
    }
  }

  #onVideo(au: VideoAccessUnit): void {
    this.#counts.frames++;
    if (au.keyframe) this.#counts.keyframes++;
    if (!this.#streamInfo && au.keyframe && au.track.sps) {
      const info: StreamInfo = {
        codec: au.codec,
        width: au.track.width ?? null,
        height: au.track.height ?? null,
      };
      this.#streamInfo = info;
      this.#logger.info({ ...info, stream: this.#latch.current }, 'first keyframe');
      for (const waiter of this.#waiters) {
        this.#clock.clearTimeout(waiter.timer);
        waiter.resolve(info);
      }
      this.#waiters.clear();
      this.emit('stream-info', info);
    }
    this.live.push(au);
  }

  /** Viewers of the old codec cannot follow (their SDP named H.264); they reconnect. Egresses carry on. */
  #onCodecChange(codec: VideoCodec): void {
    this.#logger.warn({ codec }, 'codec changed mid-stream; closing viewers');
    this.#stopTranscoder({ closeViewers: false });
    for (const viewer of [...this.#viewers.values()]) viewer.close();
    for (const egress of [...this.#egresses.values()]) egress.codecChanged(codec);
    if (this.#streamInfo) this.#streamInfo = { ...this.#streamInfo, codec };
  }

  #stopAudioTranscoder(): void {
    const running = this.#audioTranscoder;
    if (!running) return;
    this.#audioTranscoder = undefined;
    running.unsubscribe();
    running.transcoder.close();
    this.#logger.info('audio transcoder stopped');
  }

  #stopTranscoder(options: { closeViewers: boolean }): void {
    const transcoder = this.#transcoder;
    if (!transcoder) return;
    this.#transcoder = undefined;
    this.#transcoderLeases = 0;
    transcoder.close();
    this.#logger.info('transcoder stopped');
    if (options.closeViewers) for (const viewer of [...this.#viewers.values()]) viewer.close();
  }

  #touch(): void {
    this.#lastActivity = this.#clock.now();
    this.#armTimeout();
  }

  /** One timer for the media timeout, re-armed lazily: packets only update `#lastActivity`. */
  #armTimeout(): void {
    if (this.#timeoutTimer) this.#clock.clearTimeout(this.#timeoutTimer);
    const due = this.#lastActivity + this.#timeoutMs - this.#clock.now();
    this.#timeoutTimer = this.#clock.setTimeout(
      () => {
        this.#timeoutTimer = undefined;
        if (this.closed) return;
        if (this.#clock.now() - this.#lastActivity >= this.#timeoutMs) {
          this.#logger.info({ timeoutMs: this.#timeoutMs }, 'media timeout');
          this.close('media-timeout');
        } else {
          this.#armTimeout();
        }
      },
      Math.max(0, due),
    );
  }

  /** UDP: a hole in the sequence holds later packets at most `maxDelayMs`; this releases them on time. */
  #armPoll(): void {
    if (this.#pollTimer) return;
    const due = this.#depacketizer.reorder.msUntilDeadline();
    if (due === undefined) return;
    this.#pollTimer = this.#clock.setTimeout(() => {
      this.#pollTimer = undefined;
      if (this.closed) return;
      this.#handle(this.#depacketizer.poll());
      this.#armPoll();
    }, due + 1);
  }
}
