import { EventEmitter } from 'node:events';
import type { RequestContext, SipEndpoint, SipRequest } from '@tessera/sip';
import type { Logger } from '@tessera/kit';
import type { SimulatedChannel } from './city';
import { DeviceDialog } from './device-dialog';
import { SimulatorMediaError } from './media-errors';
import { type MediaPlan, planFromOffer, writeAnswer } from './media-offer';
import { type MediaEndReason, MediaSession, type MediaSessionInfo } from './media-session';
import type { SimulatedCodec, VideoSettings } from './video-source';

export interface SimulatorMediaOptions {
  endpoint: Pick<SipEndpoint, 'request'>;
  logger: Logger;
  /** Address media sockets bind to and answers name. */
  host: string;
  /** Our SIP `host:port` for the 200's Contact; without it the platform falls back to the packet source. */
  contact?: { host: string; port: number };
  /** Per codec; defaults 1280×720 H.264 and 960×540 H.265 (x265 costs ~3× the CPU), 25 fps, 2 Mbit/s, GOP 50. */
  video?: Partial<Record<SimulatedCodec, Partial<VideoSettings>>>;
  ffmpegPath?: string;
  /** How long an answered INVITE waits for its ACK (RFC 3261: 64·T1). */
  ackTimeoutMs?: number;
}

export interface SimulatorMediaEvents {
  /** Media started flowing (the encoder is running). */
  'session-started': [MediaSessionInfo];
  /** The session is over and its encoder has exited. */
  'session-ended': [MediaSessionInfo, MediaEndReason];
}

interface Entry {
  session: MediaSession;
  dialog: DeviceDialog;
  ackTimer: ReturnType<typeof setTimeout> | undefined;
}

const DEFAULT_VIDEO: Record<SimulatedCodec, VideoSettings> = {
  h264: { width: 1280, height: 720, fps: 25, bitrate: 2_000_000, gop: 50 },
  h265: { width: 960, height: 540, fps: 25, bitrate: 2_000_000, gop: 50 },
};

/** Reasons the device itself ends the dialog with a BYE (it lost its media, or nobody confirmed the call). */
const DEVICE_HANGS_UP: ReadonlySet<MediaEndReason> = new Set([
  'peer-closed',
  'source-exited',
  'connect-failed',
  'no-ack',
]);

/**
 * The INVITE side of the simulated cameras (GB/T 28181 §9.2): answers a platform's offer with its own media address,
 * streams real video as PS over RTP once ACKed (UDP, TCP active, TCP passive), stops on BYE, and can end a stream
 * itself with a BYE. Faults: a channel that answers but never sends (`silence`), one that answers another `y=`.
 */
export class SimulatorMedia extends EventEmitter<SimulatorMediaEvents> {
  readonly #o: SimulatorMediaOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #silent = new Set<string>();
  readonly #answerSsrc = new Map<string, string>();
  #ssrcIndex = Math.floor(Math.random() * 10_000);

  constructor(options: SimulatorMediaOptions) {
    super();
    this.#o = options;
  }

  /** Live sessions, all or one channel's. */
  sessions(channelId?: string): MediaSessionInfo[] {
    return [...this.#entries.values()]
      .filter((e) => channelId === undefined || e.session.channelId === channelId)
      .map((e) => e.session.info);
  }

  /** Fault: the channel answers INVITEs but never sends media (the platform's 504 path). */
  silence(channelId: string, silent = true): void {
    if (silent) this.#silent.add(channelId);
    else this.#silent.delete(channelId);
  }

  /** Fault (or vendor habit): answer with this `y=` instead of echoing the offer's; null goes back to echoing. */
  setAnswerSsrc(channelId: string, ssrc: string | null): void {
    if (ssrc === null) this.#answerSsrc.delete(channelId);
    else this.#answerSsrc.set(channelId, ssrc);
  }

  /** An INVITE for one of our channels: 200 with our SDP, or 488 for an offer we cannot serve. */
  async handleInvite(channel: SimulatedChannel, request: SipRequest, context: RequestContext): Promise<void> {
    let plan: MediaPlan;
    try {
      plan = planFromOffer(request.body);
    } catch (error) {
      if (!(error instanceof SimulatorMediaError)) throw error;
      context.respond(488, 'Not Acceptable Here');
      return;
    }
    const callId = request.headers.get('Call-ID') ?? '';
    const codec = channel.codec;
    const ssrc = this.#answerSsrc.get(channel.channelId) ?? plan.ssrc ?? this.#ownSsrc(channel.channelId);
    const session = new MediaSession({
      callId,
      channelId: channel.channelId,
      codec,
      plan,
      ssrc,
      host: this.#o.host,
      silent: this.#silent.has(channel.channelId),
      video: { ...DEFAULT_VIDEO[codec], ...this.#o.video?.[codec] },
      ffmpegPath: this.#o.ffmpegPath,
      logger: this.#o.logger,
    });
    const port = await session.prepare();
    if (context.signal.aborted) {
      await session.close('stopped');
      return;
    }
    const contact = this.#o.contact;
    const ok = context.respond(200, 'OK', {
      headers: [
        ...(contact
          ? ([['Contact', `<sip:${channel.channelId}@${contact.host}:${contact.port}>`]] as const)
          : []),
        ['Content-Type', 'APPLICATION/SDP'],
      ],
      body: writeAnswer({ channelId: channel.channelId, plan, host: this.#o.host, port, ssrc }),
    });
    const entry: Entry = {
      session,
      dialog: new DeviceDialog(request, ok, context.remote),
      ackTimer: setTimeout(() => void session.close('no-ack'), this.#o.ackTimeoutMs ?? 32_000),
    };
    entry.ackTimer?.unref();
    this.#entries.set(callId, entry);
    session.once('streaming', () => this.emit('session-started', session.info));
    session.once('ended', (reason) => this.#ended(entry, reason));
  }

  /** The ACK for our 200: start the media. */
  handleAck(ack: SipRequest): void {
    const entry = this.#entries.get(ack.headers.get('Call-ID') ?? '');
    if (!entry) return;
    if (entry.ackTimer) clearTimeout(entry.ackTimer);
    entry.ackTimer = undefined;
    entry.session.start();
  }

  /** A BYE: 200 and the stream stops; false when it is not one of our calls (the caller answers 481). */
  handleBye(request: SipRequest, context: RequestContext): boolean {
    const entry = this.#entries.get(request.headers.get('Call-ID') ?? '');
    if (!entry) return false;
    context.respond(200, 'OK');
    void entry.session.close('bye');
    return true;
  }

  /** The device ends every stream of the channel with its own BYE; resolves with how many it ended. */
  async hangUp(channelId: string): Promise<number> {
    const entries = [...this.#entries.values()].filter((e) => e.session.channelId === channelId);
    await Promise.all(
      entries.map(async (entry) => {
        await entry.session.close('hang-up');
        await this.#sendBye(entry);
      }),
    );
    return entries.length;
  }

  /** Stops every stream without signalling (the simulator is going away). */
  async closeAll(): Promise<void> {
    await Promise.all([...this.#entries.values()].map((e) => e.session.close('stopped')));
  }

  #ended(entry: Entry, reason: MediaEndReason): void {
    if (entry.ackTimer) clearTimeout(entry.ackTimer);
    this.#entries.delete(entry.session.callId);
    this.emit('session-ended', entry.session.info, reason);
    if (DEVICE_HANGS_UP.has(reason)) void this.#sendBye(entry);
  }

  async #sendBye(entry: Entry): Promise<void> {
    try {
      await this.#o.endpoint.request(entry.dialog.bye(), entry.dialog.remote);
    } catch (error) {
      this.#o.logger.debug({ err: error, callId: entry.dialog.callId }, 'simulator BYE failed');
    }
  }

  /** A `y=` of our own when the offer had none: live, digits 4–8 of the channel ID, a counter (notes §1.6). */
  #ownSsrc(channelId: string): string {
    this.#ssrcIndex = (this.#ssrcIndex + 1) % 10_000;
    return `0${channelId.substring(3, 8)}${String(this.#ssrcIndex).padStart(4, '0')}`;
  }
}
