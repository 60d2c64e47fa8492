import { randomInt } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Clock, Logger, TimerHandle } from '@tessera/kit';
import {
  RTCPeerConnection,
  RTCRtpCodecParameters,
  type RTCRtpTransceiver,
  RtcpPayloadSpecificFeedback,
  RtpHeader,
  RtpPacket,
} from 'werift';
import { InvalidOfferError } from '../errors';
import {
  type AudioFrame,
  type VideoAccessUnit,
  type AudioCodec,
  packetizeH264,
} from '@tessera/media-protocols';
import type { OpusPacket } from '../sessions/audio-transcoder';
import type { H264FeedLease, IngestViewer } from '../sessions/ingest';
import type { LiveStreamSubscription } from '../sessions/live-stream';
import { type AudioAnswerPlan, planAudioAnswer } from './audio-offer';
import { preferH264 } from './h264-offer';
import { type IceOptions, weriftIceConfig } from './ice-options';
import { RtpTimeline } from './rtp-timeline';

/** RFC 5104 §4.3.1: payload-specific feedback with FMT 4 is a Full Intra Request. */
const FIR_FMT = 4;
/** G.711 bytes per RTP packet at most: one byte a sample, 60 ms (RFC 3551 §4.5 lets a packet carry any number). */
const MAX_G711_PAYLOAD = 480;

export type ViewerCloseReason = 'left' | 'failed' | 'connect-timeout' | 'session-closed';

export interface WebRtcViewerEvents {
  /** ICE and DTLS are up; media flows. */
  connected: [];
  close: [reason: ViewerCloseReason];
  /** The browser lost the picture (RTCP PLI or FIR) and wants a keyframe. */
  'keyframe-wanted': [reason: 'pli' | 'fir'];
}

export interface WebRtcViewerStats {
  framesSent: number;
  keyframesSent: number;
  packetsSent: number;
  bytesSent: number;
  /** Frames of the cached GOP sent at start. */
  burstFrames: number;
  /**
   * Picture loss indications and full intra requests from the browser. GB/T 28181 has no in-band way to ask
   * the camera for a keyframe (only a MANSCDP device-control command), so they are counted, not forwarded.
   */
  pli: number;
  fir: number;
  nack: number;
  /** Camera audio relayed (G.711 as is). */
  audioPacketsSent: number;
}

/** The camera's audio, for viewers that can take it (`Ingest.subscribeAudio`, `Ingest.subscribeOpus`). */
export interface ViewerAudioSource {
  readonly codec: AudioCodec | undefined;
  /** The camera's AAC can be had as Opus. */
  readonly aacToOpus: boolean;
  subscribe(listener: (frame: AudioFrame) => void): () => void;
  subscribeOpus(listener: (packet: OpusPacket) => void): () => void;
}

type SentAudioCodec = 'g711a' | 'g711u' | 'opus';

export interface WebRtcViewerOptions {
  readonly id: string;
  readonly sessionId: string;
  /** The platform's user, from the viewer token. */
  readonly user: string;
  /** The H.264 stream to relay (the ingest's, or the transcoder's); released on close. */
  readonly lease: H264FeedLease;
  /** The camera's audio; without it (or when it cannot be sent) the offer's audio m-line is answered inactive. */
  readonly audio?: ViewerAudioSource;
  readonly ice: IceOptions;
  readonly clock: Clock;
  readonly logger: Logger;
  /** ICE + DTLS must be up within this time after the answer. */
  readonly connectTimeoutMs?: number;
  /** After `disconnected` (consent lost), this long to recover before closing. */
  readonly disconnectGraceMs?: number;
  readonly maxPayloadSize?: number;
}

/**
 * One browser watching a session over WebRTC (werift), answering its WHEP offer. Sends the shared H.264
 * stream, RFC 6184 packetized, starting with the cached GOP once DTLS is up. SRTP, NACK retransmission and
 * RTCP are werift's. `close()` is idempotent; the ingest closes its viewers when the session ends.
 */
export class WebRtcViewer extends EventEmitter<WebRtcViewerEvents> implements IngestViewer {
  readonly id: string;
  readonly sessionId: string;
  readonly user: string;
  readonly answer: string;
  readonly stats: WebRtcViewerStats = {
    framesSent: 0,
    keyframesSent: 0,
    packetsSent: 0,
    bytesSent: 0,
    burstFrames: 0,
    pli: 0,
    fir: 0,
    nack: 0,
    audioPacketsSent: 0,
  };
  readonly #pc: RTCPeerConnection;
  readonly #transceiver: RTCRtpTransceiver;
  readonly #audio:
    | { transceiver: RTCRtpTransceiver; source: ViewerAudioSource; codec: SentAudioCodec }
    | undefined;
  readonly #lease: H264FeedLease;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #maxPayloadSize: number;
  readonly #disconnectGraceMs: number;
  readonly #timeline = new RtpTimeline({ initial: randomInt(0, 2 ** 32) });
  #sequence = randomInt(0, 0x10000);
  #audioSequence = randomInt(0, 0x10000);
  readonly #audioTimestampBase = randomInt(0, 2 ** 32);
  #audioNext: number | undefined;
  #subscription: LiveStreamSubscription | undefined;
  #audioUnsubscribe: (() => void) | undefined;
  #timer: TimerHandle | undefined;
  #closed: ViewerCloseReason | undefined;

  private constructor(
    options: WebRtcViewerOptions,
    pc: RTCPeerConnection,
    transceiver: RTCRtpTransceiver,
    audio: { transceiver: RTCRtpTransceiver; codec: SentAudioCodec } | undefined,
    answer: string,
  ) {
    super();
    this.id = options.id;
    this.sessionId = options.sessionId;
    this.user = options.user;
    this.answer = answer;
    this.#pc = pc;
    this.#transceiver = transceiver;
    this.#audio = audio && options.audio ? { ...audio, source: options.audio } : undefined;
    this.#lease = options.lease;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#maxPayloadSize = options.maxPayloadSize ?? 1200;
    this.#disconnectGraceMs = options.disconnectGraceMs ?? 10_000;

    const sender = transceiver.sender;
    sender.onPictureLossIndication.subscribe(() => {
      this.stats.pli++;
      this.emit('keyframe-wanted', 'pli');
    });
    sender.onRtcp.subscribe((packet) => {
      if (packet instanceof RtcpPayloadSpecificFeedback && packet.feedback.count === FIR_FMT) {
        this.stats.fir++;
        this.emit('keyframe-wanted', 'fir');
      }
    });
    sender.onGenericNack.subscribe(() => {
      this.stats.nack++;
    });
    pc.connectionStateChange.subscribe((state) => this.#onState(state));
    this.#timer = this.#clock.setTimeout(
      () => this.close('connect-timeout'),
      options.connectTimeoutMs ?? 20_000,
    );
  }

  /**
   * Answers a WHEP offer (recvonly video, perhaps audio: `planAudioAnswer`). Throws `InvalidOfferError` when it
   * cannot be answered.
   */
  static async answer(options: WebRtcViewerOptions, offer: string): Promise<WebRtcViewer> {
    const sps = options.lease.feed.latest?.track.sps;
    const audio: AudioAnswerPlan = planAudioAnswer(offer, options.audio?.codec, options.audio?.aacToOpus);
    const pc = new RTCPeerConnection({
      ...weriftIceConfig(options.ice),
      codecs: {
        audio: audio.codecs,
        video: [
          new RTCRtpCodecParameters({
            mimeType: 'video/H264',
            clockRate: 90_000,
            rtcpFeedback: [
              { type: 'nack' },
              { type: 'nack', parameter: 'pli' },
              { type: 'ccm', parameter: 'fir' },
            ],
            parameters: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
          }),
        ],
      },
    });
    try {
      const munged = preferH264(offer, sps && sps.length > 1 ? sps[1] : undefined);
      try {
        await pc.setRemoteDescription({ type: 'offer', sdp: munged });
      } catch (error) {
        throw new InvalidOfferError(`cannot apply the offer: ${(error as Error).message}`);
      }
      const transceiver = pc.getTransceivers().find((t) => t.kind === 'video');
      if (!transceiver) throw new InvalidOfferError('the offer has no video transceiver');
      transceiver.setDirection('sendonly');
      const audioTransceiver = audio.send ? pc.getTransceivers().find((t) => t.kind === 'audio') : undefined;
      audioTransceiver?.setDirection('sendonly');
      // Other m-lines (audio we cannot send, a second video, data) are answered inactive: nothing to send there.
      for (const other of pc.getTransceivers())
        if (other !== transceiver && other !== audioTransceiver) other.setDirection('inactive');
      await pc.setLocalDescription(await pc.createAnswer());
      const answer = pc.localDescription?.sdp;
      if (!answer) throw new InvalidOfferError('no answer could be created');
      const sending =
        audioTransceiver && audio.send
          ? { transceiver: audioTransceiver, codec: audio.send.codec }
          : undefined;
      return new WebRtcViewer(options, pc, transceiver, sending, answer);
    } catch (error) {
      options.lease.release();
      await pc
        .close()
        .catch((closeError: unknown) => options.logger.warn({ err: closeError }, 'close failed'));
      throw error;
    }
  }

  get connected(): boolean {
    return this.#subscription !== undefined;
  }

  get closed(): boolean {
    return this.#closed !== undefined;
  }

  close(reason: ViewerCloseReason = 'session-closed'): void {
    if (this.#closed) return;
    this.#closed = reason;
    if (this.#timer) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#subscription?.unsubscribe();
    this.#subscription = undefined;
    this.#audioUnsubscribe?.();
    this.#audioUnsubscribe = undefined;
    this.#lease.release();
    this.#pc
      .close()
      .catch((error: unknown) => this.#logger.warn({ err: error }, 'peer connection close failed'));
    this.#logger.info({ reason, stats: this.stats }, 'viewer closed');
    this.emit('close', reason);
    this.removeAllListeners();
  }

  #onState(state: string): void {
    if (this.#closed) return;
    if (state === 'connected') {
      if (this.#timer) this.#clock.clearTimeout(this.#timer);
      this.#timer = undefined;
      if (!this.#subscription) {
        this.#logger.info('viewer connected');
        this.#subscription = this.#lease.feed.subscribe({
          start: (gop) => this.#sendBurst(gop),
          accessUnit: (au) => this.#send(au, this.#timeline.next(au.pts)),
        });
        const audio = this.#audio;
        if (audio?.codec === 'opus')
          this.#audioUnsubscribe = audio.source.subscribeOpus((packet) => this.#sendOpus(packet));
        else if (audio) this.#audioUnsubscribe = audio.source.subscribe((frame) => this.#sendAudio(frame));
        this.emit('connected');
      }
    } else if (state === 'failed' || state === 'closed') {
      this.close('failed');
    } else if (state === 'disconnected') {
      if (this.#timer) this.#clock.clearTimeout(this.#timer);
      this.#timer = this.#clock.setTimeout(() => this.close('failed'), this.#disconnectGraceMs);
    }
  }

  /** Opus from the transcoder: its 48 kHz clock (RFC 7587 §4.1) moved to this viewer's random base. */
  #sendOpus(packet: OpusPacket): void {
    const audio = this.#audio;
    if (!audio) return;
    const header = new RtpHeader({
      sequenceNumber: this.#audioSequence,
      timestamp: (this.#audioTimestampBase + packet.timestamp) >>> 0,
      marker: this.#audioNext === undefined,
    });
    this.#audioNext = (this.#audioTimestampBase + packet.timestamp + packet.samples) >>> 0;
    this.#audioSequence = (this.#audioSequence + 1) & 0xffff;
    this.stats.audioPacketsSent++;
    audio.transceiver.sender.sendRtp(new RtpPacket(header, packet.data)).catch((error: unknown) => {
      this.#logger.debug({ err: error }, 'audio RTP send failed');
    });
  }

  /**
   * G.711 as is: one byte a sample at 8 kHz, so the RTP clock is the PES PTS scaled to 8 kHz; frames without a
   * PTS, or with one that jumps (> 1 s) from where the last frame ended, continue where it ended.
   */
  #sendAudio(frame: AudioFrame): void {
    const audio = this.#audio;
    if (!audio || frame.codec !== audio.codec || frame.data.length === 0) return;
    const fromPts =
      frame.pts === undefined
        ? undefined
        : (this.#audioTimestampBase + Math.round((frame.pts * 8000) / 90_000)) >>> 0;
    const next = this.#audioNext;
    let timestamp = fromPts ?? next ?? this.#audioTimestampBase;
    if (next !== undefined && fromPts !== undefined && Math.abs((fromPts - next) | 0) > 8000)
      timestamp = next;
    const sender = audio.transceiver.sender;
    for (let offset = 0; offset < frame.data.length; offset += MAX_G711_PAYLOAD) {
      const payload = frame.data.subarray(offset, offset + MAX_G711_PAYLOAD);
      const header = new RtpHeader({
        sequenceNumber: this.#audioSequence,
        timestamp: (timestamp + offset) >>> 0,
        marker: this.#audioNext === undefined && offset === 0,
      });
      this.#audioSequence = (this.#audioSequence + 1) & 0xffff;
      this.stats.audioPacketsSent++;
      sender.sendRtp(new RtpPacket(header, payload)).catch((error: unknown) => {
        this.#logger.debug({ err: error }, 'audio RTP send failed');
      });
    }
    this.#audioNext = (timestamp + frame.data.length) >>> 0;
  }

  #sendBurst(gop: readonly VideoAccessUnit[]): void {
    const timestamps = this.#timeline.burst(gop.map((au) => au.pts));
    this.stats.burstFrames += gop.length;
    gop.forEach((au, i) => {
      this.#send(au, timestamps[i]!);
    });
  }

  #send(au: VideoAccessUnit, timestamp: number): void {
    const payloads = packetizeH264(au.nalus, {
      keyframe: au.keyframe,
      sps: au.track.sps,
      pps: au.track.pps,
      maxPayloadSize: this.#maxPayloadSize,
    });
    const sender = this.#transceiver.sender;
    for (const { payload, marker } of payloads) {
      const header = new RtpHeader({
        payloadType: 96,
        sequenceNumber: this.#sequence,
        timestamp,
        marker,
      });
      this.#sequence = (this.#sequence + 1) & 0xffff;
      this.stats.packetsSent++;
      this.stats.bytesSent += payload.length;
      sender.sendRtp(new RtpPacket(header, payload)).catch((error: unknown) => {
        this.#logger.debug({ err: error }, 'RTP send failed');
      });
    }
    this.stats.framesSent++;
    if (au.keyframe) this.stats.keyframesSent++;
  }
}
