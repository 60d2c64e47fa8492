import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '@tessera/kit';
import type { MediaPlan } from './media-offer';
import { MediaStreamer, type MediaStreamerStats } from './media-streamer';
import { type RtpSink, TcpRtpSink, UdpRtpSink } from './rtp-sink';
import { type SimulatedCodec, VideoSource, type VideoSettings } from './video-source';

/**
 * Why a stream ended. `bye`: the platform hung up; `hang-up`: the simulator was told to; `peer-closed`: the TCP peer
 * went away; `source-exited`: ffmpeg died; `connect-failed`: no TCP connection came about; `no-ack`: the 200 was
 * never acknowledged; `stopped`: the simulator stopped.
 */
export type MediaEndReason =
  | 'bye'
  | 'hang-up'
  | 'peer-closed'
  | 'source-exited'
  | 'connect-failed'
  | 'no-ack'
  | 'stopped';

/** answered → (ACK) started → streaming → ended; a silenced session stays `started` without media. */
export type MediaSessionState = 'answered' | 'started' | 'streaming' | 'ended';

export interface MediaSessionInfo {
  callId: string;
  channelId: string;
  codec: SimulatedCodec;
  mode: MediaPlan['mode'];
  /** The answered `y=`; the RTP SSRC is its decimal value. */
  ssrc: string;
  state: MediaSessionState;
  silent: boolean;
  /** The ffmpeg process while it runs. */
  pid: number | undefined;
  stats: MediaStreamerStats | undefined;
}

export interface MediaSessionOptions {
  callId: string;
  channelId: string;
  codec: SimulatedCodec;
  plan: MediaPlan;
  ssrc: string;
  /** Address our sockets bind to and the answer names. */
  host: string;
  /** Fault: answer, but never send media. */
  silent: boolean;
  video: VideoSettings;
  ffmpegPath?: string;
  logger: Logger;
  /** TCP: connection attempts as a client (2022 Annex D: at least 3, at least 1 s apart) and how long to wait as a server. */
  connectAttempts?: number;
  connectRetryMs?: number;
  acceptTimeoutMs?: number;
}

export interface MediaSessionEvents {
  streaming: [];
  ended: [MediaEndReason];
}

/**
 * The media side of one INVITE at a simulated camera: the socket named in the answer, the connection (TCP), and
 * once ACKed an encoder and a streamer of its own. A channel may have several at once (several platforms, or a
 * platform that INVITEs twice). `close` is idempotent and resolves once ffmpeg has exited.
 */
export class MediaSession extends EventEmitter<MediaSessionEvents> {
  readonly #o: MediaSessionOptions;
  #state: MediaSessionState = 'answered';
  #udp: UdpSocket | undefined;
  #server: Server | undefined;
  #tcp: Socket | undefined;
  #source: VideoSource | undefined;
  #streamer: MediaStreamer | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: MediaSessionOptions) {
    super();
    this.#o = options;
  }

  get callId(): string {
    return this.#o.callId;
  }

  get channelId(): string {
    return this.#o.channelId;
  }

  get info(): MediaSessionInfo {
    return {
      callId: this.#o.callId,
      channelId: this.#o.channelId,
      codec: this.#o.codec,
      mode: this.#o.plan.mode,
      ssrc: this.#o.ssrc,
      state: this.#state,
      silent: this.#o.silent,
      pid: this.#source?.pid,
      stats: this.#streamer ? { ...this.#streamer.stats } : undefined,
    };
  }

  /** Binds what the answer names; returns the port for `m=` (9 for tcp-connect, RFC 4145 §4.1). */
  async prepare(): Promise<number> {
    const { host, plan } = this.#o;
    if (plan.mode === 'udp') {
      const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
      this.#udp = socket;
      socket.on('error', (error) => this.#o.logger.debug({ err: error }, 'media UDP socket error'));
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(0, host, () => {
          socket.off('error', reject);
          resolve();
        });
      });
      return socket.address().port;
    }
    if (plan.mode === 'tcp-listen') {
      const server = createServer((socket) => this.#accepted(socket));
      this.#server = server;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const address = server.address();
      return typeof address === 'object' && address ? address.port : 0;
    }
    return 9;
  }

  /** The platform ACKed our 200: media may flow. */
  start(): void {
    if (this.#state !== 'answered') return;
    this.#state = 'started';
    if (this.#o.silent) return;
    const { plan } = this.#o;
    if (plan.mode === 'udp') this.#stream(new UdpRtpSink(this.#udp!, plan.host, plan.port));
    else if (plan.mode === 'tcp-connect') this.#connect(1);
    else if (this.#tcp) this.#stream(new TcpRtpSink(this.#tcp));
    else this.#timer = setTimeout(() => void this.close('connect-failed'), this.#o.acceptTimeoutMs ?? 10_000);
  }

  close(reason: MediaEndReason): Promise<void> {
    this.#closing ??= (async () => {
      this.#state = 'ended';
      if (this.#timer) clearTimeout(this.#timer);
      this.#streamer?.stop();
      await this.#source?.close();
      this.#tcp?.destroy();
      this.#udp?.close();
      this.#server?.close();
      this.emit('ended', reason);
    })();
    return this.#closing;
  }

  #accepted(socket: Socket): void {
    // One connection per session (a=connection:new); a second one is not ours.
    if (this.#tcp || this.#state === 'ended') {
      socket.destroy();
      return;
    }
    this.#server?.close();
    this.#watch(socket);
    if (this.#state === 'started' && !this.#o.silent) {
      if (this.#timer) clearTimeout(this.#timer);
      this.#stream(new TcpRtpSink(socket));
    }
  }

  #connect(attempt: number): void {
    const { plan } = this.#o;
    const socket = connect({ host: plan.host, port: plan.port, localAddress: this.#o.host });
    socket.setNoDelay(true);
    socket.once('connect', () => {
      if (this.#state === 'ended') {
        socket.destroy();
        return;
      }
      this.#watch(socket);
      this.#stream(new TcpRtpSink(socket));
    });
    socket.once('error', (error) => {
      if (this.#tcp === socket || this.#state === 'ended') return;
      if (attempt >= (this.#o.connectAttempts ?? 3)) {
        this.#o.logger.info({ err: error, callId: this.#o.callId }, 'media connection failed');
        void this.close('connect-failed');
        return;
      }
      this.#timer = setTimeout(() => this.#connect(attempt + 1), this.#o.connectRetryMs ?? 1000);
    });
  }

  #watch(socket: Socket): void {
    this.#tcp = socket;
    socket.on('error', (error) => this.#o.logger.debug({ err: error }, 'media TCP error'));
    // Whoever closes first, the stream is over: a camera does not stream into a closed connection.
    socket.once('close', () => void this.close('peer-closed'));
    // The platform never sends anything on a media connection we care about (RTCP at most); keep the socket flowing.
    socket.resume();
  }

  #stream(sink: RtpSink): void {
    if (this.#state !== 'started') return;
    const source = new VideoSource({
      codec: this.#o.codec,
      video: this.#o.video,
      label: this.#o.channelId,
      ffmpegPath: this.#o.ffmpegPath,
    });
    this.#source = source;
    this.#streamer = new MediaStreamer({
      source,
      sink,
      codec: this.#o.codec,
      ssrc: Number.parseInt(this.#o.ssrc, 10),
    });
    source.on('exit', ({ expected, code, signal, stderr }) => {
      if (expected) return;
      this.#o.logger.warn({ callId: this.#o.callId, code, signal, stderr }, 'ffmpeg exited');
      void this.close('source-exited');
    });
    try {
      source.start();
    } catch (error) {
      this.#o.logger.error({ err: error }, 'cannot start the video source');
      void this.close('source-exited');
      return;
    }
    this.#state = 'streaming';
    this.emit('streaming');
  }
}
