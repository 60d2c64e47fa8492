import type {
  Bus,
  EventPayload,
  EventTopic,
  KeyValueStore,
  LeaseStore,
  Unsubscribe,
} from '@tessera/contracts';
import { type Clock, type Logger, nodeId, systemClock } from '@tessera/kit';
import type { MediaServerConfig } from './config';
import { PortPool } from './servers/rtp/port-pool';
import { SharedUdpServer } from './servers/rtp/shared-udp-server';
import { WhepServer } from './servers/whep/whep-server';
import type { EgressStats } from './sessions/egress';
import type { IngestStats } from './sessions/ingest-stats';
import { IngestManager } from './sessions/ingest-manager';
import type { LiveStreamOptions } from './sessions/live-stream';
import { handleMediaCommands } from './sessions/media-commands';
import type { TranscoderFactory } from './sessions/transcoder';
import { FfmpegAacOpusTranscoder } from './transcode/ffmpeg-aac-opus-transcoder';
import { FfmpegH265Transcoder } from './transcode/ffmpeg-h265-transcoder';
import { StreamRegistry } from './streams/stream-registry';
import { ViewerService } from './webrtc/viewer-service';

export interface MediaServerOptions {
  readonly config: MediaServerConfig;
  readonly bus: Bus;
  /** Where stream records live (Redis; in memory for `npm start`), read by every platform replica. */
  readonly store: KeyValueStore;
  /** One owner per channel stream (`stream:<channelId>`). */
  readonly leases: LeaseStore;
  /** This process's node id; default the kit's `nodeId()` (TESSERA_NODE_ID, else host-pid-random). */
  readonly node?: string;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** ffmpeg for H.265 → H.264 (default `ffmpeg` on PATH). */
  readonly ffmpegPath?: string;
  readonly liveStream?: LiveStreamOptions;
  /** Before the device's answer; default max(media timeout, 40 s). */
  readonly answerTimeoutMs?: number;
  /** TCP active: connect attempts and the pause between them (default 4, 1 s apart). */
  readonly tcpConnectAttempts?: number;
  readonly tcpRetryDelayMs?: number;
  /** WHEP: how long a viewer may wait for the first keyframe, and for ICE + DTLS. */
  readonly viewerReadyTimeoutMs?: number;
  readonly viewerConnectTimeoutMs?: number;
  /** Egress, TCP passive: how long an upper has to connect to us (default 20 s). */
  readonly egressAcceptTimeoutMs?: number;
  /** Egress: bytes queued for a slow upper before frames are dropped until the next keyframe (default 1 MiB). */
  readonly egressCongestionBytes?: number;
  /** A reader handed a stream is held this long before it connects (default 15 s, at least the grace period). */
  readonly joinWindowMs?: number;
}

/**
 * The least time a play answer holds a stream nobody reads yet: the viewer handed the WHEP URL still has to gather
 * its ICE candidates (the console's player is non-trickle and waits up to 2 s) and POST; a grace period shorter
 * than that (TESSERA_PLAY_GRACE_MS may be 0) ended the stream under the viewer it had just been given to.
 */
const JOIN_WINDOW_MS = 15_000;

export interface MediaServerIngestSnapshot {
  readonly ingestId: string;
  readonly sessionId: string;
  readonly channelId: string;
  readonly transport: string;
  readonly port: number;
  readonly ssrc: string;
  readonly codec: string | null;
  readonly width: number | null;
  readonly height: number | null;
  /** WebRTC viewers + egresses (the readers the owning stream counts). */
  readonly viewers: number;
  /** Egresses to upper platforms among the viewers. */
  readonly egresses: number;
  readonly transcoding: boolean;
  readonly stats: IngestStats;
}

export interface MediaServerEgressSnapshot {
  readonly egressId: string;
  readonly ingestId: string;
  readonly sessionId: string;
  readonly transport: string;
  /** Our port (answered in the SDP). */
  readonly port: number;
  /** The upper's address once known (UDP: at once; TCP: once connected). */
  readonly remote: { address: string; port: number } | null;
  readonly ssrc: string;
  readonly sending: boolean;
  readonly stats: EgressStats;
}

/**
 * The media plane of Tessera: RTP ingest from GB/T 28181 devices (UDP, TCP passive/active, optional single
 * UDP port), one live stream per session shared by its viewers, WebRTC relay to browsers over WHEP, H.265
 * transcoded to H.264 while watched, and egress of a live stream to upper platforms (cascade: PS over RTP).
 * A channel's live stream has one owner, the media server holding its lease (`StreamRegistry`, `ChannelStream`):
 * the platform asks `media.viewer` once and is told `media.stream-ended`. Also driven by the ingest-level `media.*`
 * commands; publishes `media.keyframe-wanted` and `media.egress-ended`.
 *
 * Ownership: MediaServer → StreamRegistry → ChannelStream… (each drives one ingest) and IngestManager → Ingest →
 * (RtpSource, LiveStream, transcoder, WebRtcViewer…, Egress → RtpEgressSink); the manager also finds egresses by
 * id for `media.close-egress`. `close()` (idempotent) stops taking commands, ends the streams (BYE, lease released),
 * then closes every ingest.
 */
export class MediaServer {
  readonly config: MediaServerConfig;
  readonly ingests: IngestManager;
  readonly streams: StreamRegistry;
  readonly node: string;
  readonly #options: MediaServerOptions;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #pool: PortPool;
  readonly #publishing = new Set<Promise<void>>();
  #sharedUdp: SharedUdpServer | undefined;
  #whep: WhepServer | undefined;
  #unsubscribe: Unsubscribe[] = [];
  #starting: Promise<void> | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: MediaServerOptions) {
    this.#options = options;
    this.config = options.config;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger;
    this.#pool = new PortPool(options.config.rtpPorts);
    this.node = options.node ?? nodeId();
    const transcoder: TranscoderFactory = (input) =>
      new FfmpegH265Transcoder({
        input,
        logger: this.#logger.child({ component: 'transcoder' }),
        ffmpegPath: options.ffmpegPath,
        output: options.liveStream,
      });
    this.ingests = new IngestManager({
      host: options.config.host,
      publicHost: options.config.publicHost,
      pool: this.#pool,
      clock: this.#clock,
      logger: this.#logger.child({ component: 'ingest' }),
      mediaTimeoutMs: options.config.mediaTimeoutMs,
      answerTimeoutMs: options.answerTimeoutMs,
      liveStream: options.liveStream,
      transcoder,
      audioTranscoder: () =>
        new FfmpegAacOpusTranscoder({
          logger: this.#logger.child({ component: 'audio-transcoder' }),
          ffmpegPath: options.ffmpegPath,
        }),
      tcpConnectAttempts: options.tcpConnectAttempts,
      tcpRetryDelayMs: options.tcpRetryDelayMs,
      egressAcceptTimeoutMs: options.egressAcceptTimeoutMs,
      egressCongestionBytes: options.egressCongestionBytes,
    });
    const leaseTtlMs = options.config.streamLeaseTtlMs;
    this.streams = new StreamRegistry({
      node: this.node,
      whepBase: () => this.publicUrl,
      ingests: this.ingests,
      bus: options.bus,
      store: options.store,
      leases: options.leases,
      clock: this.#clock,
      logger: this.#logger.child({ component: 'stream' }),
      timings: {
        graceMs: options.config.playGraceMs,
        joinWindowMs: options.joinWindowMs ?? JOIN_WINDOW_MS,
        leaseTtlMs,
        renewEveryMs: Math.max(100, Math.floor(leaseTtlMs * 0.3)),
      },
    });
    // An ingest's end and its reader count are the owning ChannelStream's business (its grace period, its record,
    // `media.stream-ended`): no bus event, nobody outside the process consumes them (docs/ARCHITECTURE.md "Live play").
    this.ingests.on('egress-ended', (egress, reason) =>
      this.#publish('media.egress-ended', {
        egressId: egress.id,
        ingestId: egress.ingest.id,
        reason,
        at: this.#now(),
      }),
    );
  }

  /** Opens the sockets and starts serving the bus commands (idempotent). */
  start(): Promise<void> {
    this.#starting ??= this.#start();
    return this.#starting;
  }

  /** The WHEP HTTP port (after `start()`). */
  get httpPort(): number {
    return this.#whep?.port ?? 0;
  }

  /** Where browsers reach our WHEP endpoint: TESSERA_MEDIA_PUBLIC_URL, else the public host and HTTP port. */
  get publicUrl(): string {
    const { publicUrl, publicHost } = this.config;
    if (publicUrl) return publicUrl;
    const host = publicHost.includes(':') ? `[${publicHost}]` : publicHost;
    return `http://${host}:${this.httpPort}`;
  }

  /** Single-port mode: the shared UDP port. */
  get singlePort(): number | undefined {
    return this.#sharedUdp?.port;
  }

  get sharedUdpStats() {
    return this.#sharedUdp?.stats;
  }

  get whepStats() {
    return this.#whep?.stats;
  }

  snapshot(): MediaServerIngestSnapshot[] {
    return this.ingests.ingests().map((ingest) => ({
      ingestId: ingest.id,
      sessionId: ingest.sessionId,
      channelId: ingest.channelId,
      transport: ingest.transport,
      port: ingest.port,
      ssrc: ingest.ssrc.text,
      codec: ingest.streamInfo?.codec ?? null,
      width: ingest.streamInfo?.width ?? null,
      height: ingest.streamInfo?.height ?? null,
      viewers: ingest.viewerCount,
      egresses: ingest.egressCount,
      transcoding: ingest.transcoding,
      stats: ingest.stats,
    }));
  }

  egressSnapshot(): MediaServerEgressSnapshot[] {
    return this.ingests.egresses().map((egress) => ({
      egressId: egress.id,
      ingestId: egress.ingest.id,
      sessionId: egress.ingest.sessionId,
      transport: egress.transport,
      port: egress.port,
      remote: egress.sink.remote ? { ...egress.sink.remote } : null,
      ssrc: egress.ssrc.text,
      sending: egress.sending,
      stats: egress.stats,
    }));
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#starting?.catch(() => undefined);
      for (const unsubscribe of this.#unsubscribe.splice(0)) await unsubscribe();
      await this.streams.close();
      await this.#whep?.close();
      this.ingests.close();
      this.#sharedUdp?.close();
      await Promise.allSettled([...this.#publishing]);
      this.#logger.info('media server closed');
    })();
    return this.#closing;
  }

  async #start(): Promise<void> {
    const { config, bus } = this.#options;
    if (config.tokenSecretIsDefault) {
      this.#logger.warn('TESSERA_MEDIA_TOKEN_SECRET is not set: using the development secret');
    }
    if (config.singlePort !== undefined) {
      this.#sharedUdp = await SharedUdpServer.listen({ host: config.host, port: config.singlePort });
      this.ingests.useSharedUdp(this.#sharedUdp);
    }
    const viewers = new ViewerService({
      ingests: this.ingests,
      ice: { publicHost: config.publicHost, bindHost: config.host, portRange: config.webrtcPorts },
      clock: this.#clock,
      logger: this.#logger.child({ component: 'viewer' }),
      readyTimeoutMs: this.#options.viewerReadyTimeoutMs,
      connectTimeoutMs: this.#options.viewerConnectTimeoutMs,
      onKeyframeWanted: (sessionId, ingestId, reason) =>
        this.#publish('media.keyframe-wanted', { sessionId, ingestId, reason, at: this.#now() }),
    });
    this.#whep = await WhepServer.listen({
      backend: viewers,
      tokenSecret: config.tokenSecret,
      host: config.host,
      port: config.httpPort,
      logger: this.#logger.child({ component: 'whep' }),
      clock: this.#clock,
    });
    this.#unsubscribe = await handleMediaCommands(bus, this.ingests, this.node);
    await this.streams.start();
    this.#logger.info(
      {
        host: config.host,
        publicHost: config.publicHost,
        rtpPorts: `${config.rtpPorts.min}-${config.rtpPorts.max}`,
        singlePort: this.#sharedUdp?.port,
        httpPort: this.#whep.port,
        publicUrl: this.publicUrl,
        node: this.node,
      },
      'media server listening',
    );
  }

  #publish<T extends EventTopic>(topic: T, payload: EventPayload<T>): void {
    const pending = this.#options.bus
      .publish(topic, payload)
      .catch((error: unknown) => this.#logger.error({ err: error, topic }, 'publish failed'))
      .finally(() => this.#publishing.delete(pending));
    this.#publishing.add(pending);
  }

  #now(): string {
    return new Date(this.#clock.now()).toISOString();
  }
}
