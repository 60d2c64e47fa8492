import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { MediaTransport, OpenEgressResult, OpenIngestResult, StreamInfo } from '@tessera/contracts';
import type { Clock, Logger } from '@tessera/kit';
import { EgressConflictError, IngestNotFoundError, InvalidMediaRequestError } from '../errors';
import type { PortPool } from '../servers/rtp/port-pool';
import {
  type RtpEgressSink,
  TcpActiveEgressSink,
  TcpPassiveEgressSink,
  UdpEgressSink,
} from '../servers/rtp/rtp-egress-sink';
import type { RtpSource } from '../servers/rtp/rtp-source';
import type { SharedUdpServer } from '../servers/rtp/shared-udp-server';
import { TcpActiveConnector } from '../servers/rtp/tcp-active-connector';
import { TcpPassiveReceiver } from '../servers/rtp/tcp-passive-receiver';
import { UdpRtpReceiver } from '../servers/rtp/udp-rtp-receiver';
import { Egress, type EgressEndReason } from './egress';
import { GbSsrcAllocator, gbSsrcFromText } from './gb-ssrc';
import { Ingest, type IngestEndReason } from './ingest';
import type { LiveStreamOptions } from './live-stream';
import type { AudioTranscoderFactory } from './audio-transcoder';
import type { TranscoderFactory } from './transcoder';

export interface IngestManagerOptions {
  readonly host: string;
  readonly publicHost: string;
  readonly pool: PortPool;
  /** Single-port mode: UDP ingests share this socket. */
  readonly sharedUdp?: SharedUdpServer;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly mediaTimeoutMs: number;
  /** Before the device's answer; default max(mediaTimeoutMs, 40 s): an INVITE may take 32 s (Timer B). */
  readonly answerTimeoutMs?: number;
  readonly liveStream?: LiveStreamOptions;
  readonly transcoder?: TranscoderFactory;
  /** Makes Opus out of a camera's AAC for WebRTC viewers that want sound. */
  readonly audioTranscoder?: AudioTranscoderFactory;
  /** TCP active: connect attempts and the pause between them. */
  readonly tcpConnectAttempts?: number;
  readonly tcpRetryDelayMs?: number;
  /** Egress, TCP passive: how long the upper has to connect (default 20 s). */
  readonly egressAcceptTimeoutMs?: number;
  /** Egress: bytes queued for a slow upper before frames are dropped (default 1 MiB). */
  readonly egressCongestionBytes?: number;
}

export interface OpenIngestParams {
  readonly sessionId: string;
  readonly channelId: string;
  readonly transport: MediaTransport;
  readonly realm: string;
}

export interface OpenEgressParams {
  readonly egressId: string;
  readonly ingestId: string;
  readonly transport: MediaTransport;
  /** The upper's address (udp: where datagrams go; tcp-active: where we connect; tcp-passive: unused). */
  readonly host: string;
  readonly port: number;
  /** The upper's `y=`. */
  readonly ssrc: string;
}

export interface IngestManagerEvents {
  opened: [ingest: Ingest];
  ended: [ingest: Ingest, reason: IngestEndReason];
  viewers: [ingest: Ingest, count: number];
  'egress-ended': [egress: Egress, reason: EgressEndReason];
}

/**
 * The ingests of this media server, by id and by session. What the bus commands act on; owns every ingest
 * and closes them on `close()`.
 */
export class IngestManager extends EventEmitter<IngestManagerEvents> {
  readonly #options: IngestManagerOptions;
  readonly #ssrcs = new GbSsrcAllocator();
  readonly #byId = new Map<string, Ingest>();
  readonly #bySession = new Map<string, Ingest>();
  /** Opens in progress, by session, so that a retried open-ingest does not open a second ingest. */
  readonly #opening = new Map<string, Promise<Ingest>>();
  readonly #egresses = new Map<string, { egress: Egress; params: OpenEgressParams }>();
  /** Egress opens in progress, by egress id (a retried open-egress joins the first). */
  readonly #egressOpening = new Map<string, { params: OpenEgressParams; egress: Promise<Egress> }>();
  #sharedUdp: SharedUdpServer | undefined;
  #closed = false;

  constructor(options: IngestManagerOptions) {
    super();
    this.#options = options;
    this.#sharedUdp = options.sharedUdp;
  }

  /** Single-port mode, once its socket is bound: later UDP ingests share it. */
  useSharedUdp(server: SharedUdpServer): void {
    this.#sharedUdp = server;
  }

  get size(): number {
    return this.#byId.size;
  }

  ingests(): Ingest[] {
    return [...this.#byId.values()];
  }

  /**
   * Opens an ingest for a session. Idempotent per session: a retried command gets the same ingest back (a
   * bus request may time out after the first one succeeded); another channel or transport for an open
   * session is refused.
   */
  async open(params: OpenIngestParams): Promise<OpenIngestResult> {
    if (this.#closed) throw new InvalidMediaRequestError('media server is closing');
    const ingest = await this.#openOnce(params);
    if (ingest.channelId !== params.channelId || ingest.transport !== params.transport) {
      throw new InvalidMediaRequestError(
        `session ${params.sessionId} already has an ingest for ${ingest.channelId} over ${ingest.transport}`,
      );
    }
    return { ingestId: ingest.id, host: this.#options.publicHost, port: ingest.port, ssrc: ingest.ssrc.text };
  }

  /** The device's answer. */
  connect(ingestId: string, endpoint: { host: string; port: number }, ssrc: string | null): void {
    this.get(ingestId).connect(endpoint, ssrc === null ? null : gbSsrcFromText(ssrc));
  }

  awaitKeyframe(ingestId: string, timeoutMs: number): Promise<StreamInfo> {
    return this.get(ingestId).awaitKeyframe(timeoutMs);
  }

  /** Idempotent: an unknown (already closed) ingest is fine. */
  closeIngest(ingestId: string, reason: IngestEndReason = 'closed'): void {
    this.#byId.get(ingestId)?.close(reason);
  }

  get(ingestId: string): Ingest {
    const ingest = this.#byId.get(ingestId);
    if (!ingest) throw new IngestNotFoundError(ingestId);
    return ingest;
  }

  /**
   * Starts sending an ingest's stream to an upper platform; answers our address for the SDP answer. TCP active
   * connects in the background (an unreachable upper ends the egress with `connect-failed`), so the answer does
   * not wait for the upper. Idempotent per egress id for the same request; another request under that id is
   * refused (`EgressConflictError`).
   */
  async openEgress(params: OpenEgressParams): Promise<OpenEgressResult> {
    if (this.#closed) throw new InvalidMediaRequestError('media server is closing');
    const answer = (egress: Egress) => ({ host: this.#options.publicHost, port: egress.port });
    const open = this.#egresses.get(params.egressId);
    if (open) {
      if (!sameEgress(open.params, params)) throw new EgressConflictError(params.egressId);
      return answer(open.egress);
    }
    const opening = this.#egressOpening.get(params.egressId);
    if (opening) {
      if (!sameEgress(opening.params, params)) throw new EgressConflictError(params.egressId);
      return answer(await opening.egress);
    }
    const egress = this.#createEgress(params).finally(() => this.#egressOpening.delete(params.egressId));
    this.#egressOpening.set(params.egressId, { params, egress });
    return answer(await egress);
  }

  /** Idempotent: an unknown (already ended) egress is fine. */
  closeEgress(egressId: string): void {
    this.#egresses.get(egressId)?.egress.close('closed');
  }

  egresses(): Egress[] {
    return [...this.#egresses.values()].map((e) => e.egress);
  }

  bySession(sessionId: string): Ingest | undefined {
    return this.#bySession.get(sessionId);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const ingest of [...this.#byId.values()]) ingest.close('closed');
  }

  #openOnce(params: OpenIngestParams): Promise<Ingest> {
    const existing = this.#bySession.get(params.sessionId);
    if (existing) return Promise.resolve(existing);
    let opening = this.#opening.get(params.sessionId);
    if (!opening) {
      opening = this.#create(params).finally(() => this.#opening.delete(params.sessionId));
      this.#opening.set(params.sessionId, opening);
    }
    return opening;
  }

  async #create(params: OpenIngestParams): Promise<Ingest> {
    const options = this.#options;
    const ssrc = this.#ssrcs.allocate(params.realm);
    let source: RtpSource;
    try {
      source = await this.#openSource(params.transport, ssrc.value);
    } catch (error) {
      this.#ssrcs.release(ssrc);
      throw error;
    }
    if (this.#closed) {
      source.close();
      this.#ssrcs.release(ssrc);
      throw new InvalidMediaRequestError('media server is closing');
    }
    const id = randomUUID();
    const ingest = new Ingest({
      id,
      sessionId: params.sessionId,
      channelId: params.channelId,
      transport: params.transport,
      ssrc,
      source,
      clock: options.clock,
      logger: options.logger.child({
        ingestId: id,
        sessionId: params.sessionId,
        channelId: params.channelId,
      }),
      mediaTimeoutMs: options.mediaTimeoutMs,
      answerTimeoutMs: options.answerTimeoutMs ?? Math.max(options.mediaTimeoutMs, 40_000),
      liveStream: options.liveStream,
      transcoder: options.transcoder,
      audioTranscoder: options.audioTranscoder,
    });
    this.#byId.set(id, ingest);
    this.#bySession.set(params.sessionId, ingest);
    ingest.on('viewers', (count) => this.emit('viewers', ingest, count));
    ingest.once('close', (reason) => {
      this.#byId.delete(id);
      if (this.#bySession.get(params.sessionId) === ingest) this.#bySession.delete(params.sessionId);
      this.#ssrcs.release(ssrc);
      this.emit('ended', ingest, reason);
    });
    options.logger.info(
      {
        ingestId: id,
        sessionId: params.sessionId,
        transport: params.transport,
        port: ingest.port,
        ssrc: ssrc.text,
      },
      'ingest opened',
    );
    this.emit('opened', ingest);
    return ingest;
  }

  async #createEgress(params: OpenEgressParams): Promise<Egress> {
    const ingest = this.get(params.ingestId);
    const ssrc = gbSsrcFromText(params.ssrc);
    if (params.transport !== 'tcp-passive' && (params.port === 0 || params.host === '')) {
      throw new InvalidMediaRequestError(`egress over ${params.transport} needs the upper's address`);
    }
    const sink = await this.#openSink(params);
    // The ingest may have ended (or the server started closing) while the port was being bound.
    if (this.#closed || ingest.closed) {
      sink.close();
      if (this.#closed) throw new InvalidMediaRequestError('media server is closing');
      throw new IngestNotFoundError(params.ingestId);
    }
    const { logger } = this.#options;
    const egress = new Egress({
      id: params.egressId,
      ingest,
      ssrc,
      sink,
      logger: logger.child({ egressId: params.egressId, ingestId: ingest.id, sessionId: ingest.sessionId }),
    });
    this.#egresses.set(params.egressId, { egress, params });
    egress.once('close', (reason) => {
      if (this.#egresses.get(params.egressId)?.egress === egress) this.#egresses.delete(params.egressId);
      this.emit('egress-ended', egress, reason);
    });
    egress.open();
    logger.info(
      {
        egressId: params.egressId,
        ingestId: ingest.id,
        transport: params.transport,
        port: sink.port,
        upper: `${params.host}:${params.port}`,
        ssrc: ssrc.text,
      },
      'egress opened',
    );
    return egress;
  }

  #openSink(params: OpenEgressParams): Promise<RtpEgressSink> {
    const { host, pool, clock } = this.#options;
    const congestionBytes = this.#options.egressCongestionBytes;
    const remote = { host: params.host, port: params.port };
    switch (params.transport) {
      case 'udp':
        return UdpEgressSink.open({ pool, host, remote, congestionBytes });
      case 'tcp-passive':
        return TcpPassiveEgressSink.open({
          pool,
          host,
          clock,
          congestionBytes,
          acceptTimeoutMs: this.#options.egressAcceptTimeoutMs,
        });
      case 'tcp-active':
        return TcpActiveEgressSink.open({
          pool,
          host,
          clock,
          remote,
          congestionBytes,
          attempts: this.#options.tcpConnectAttempts,
          retryDelayMs: this.#options.tcpRetryDelayMs,
        });
    }
  }

  #openSource(transport: MediaTransport, ssrc: number): Promise<RtpSource> {
    const { host, pool, clock } = this.#options;
    const sharedUdp = this.#sharedUdp;
    switch (transport) {
      case 'udp':
        return sharedUdp ? Promise.resolve(sharedUdp.channel(ssrc)) : UdpRtpReceiver.open({ pool, host });
      case 'tcp-passive':
        return TcpPassiveReceiver.open({ pool, host });
      case 'tcp-active':
        return TcpActiveConnector.open({
          pool,
          host,
          clock,
          attempts: this.#options.tcpConnectAttempts,
          retryDelayMs: this.#options.tcpRetryDelayMs,
        });
    }
  }
}

function sameEgress(a: OpenEgressParams, b: OpenEgressParams): boolean {
  return (
    a.ingestId === b.ingestId &&
    a.transport === b.transport &&
    a.host === b.host &&
    a.port === b.port &&
    a.ssrc === b.ssrc
  );
}
