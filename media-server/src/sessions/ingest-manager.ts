import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { MediaTransport, OpenIngestResult, StreamInfo } from '@tessera/contracts';
import type { Clock, Logger } from '@tessera/kit';
import { IngestNotFoundError, InvalidMediaRequestError } from '../errors';
import type { PortPool } from '../servers/rtp/port-pool';
import type { RtpSource } from '../servers/rtp/rtp-source';
import type { SharedUdpServer } from '../servers/rtp/shared-udp-server';
import { TcpActiveConnector } from '../servers/rtp/tcp-active-connector';
import { TcpPassiveReceiver } from '../servers/rtp/tcp-passive-receiver';
import { UdpRtpReceiver } from '../servers/rtp/udp-rtp-receiver';
import { GbSsrcAllocator, gbSsrcFromText } from './gb-ssrc';
import { Ingest, type IngestEndReason } from './ingest';
import type { LiveStreamOptions } from './live-stream';
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
  /** TCP active: connect attempts and the pause between them. */
  readonly tcpConnectAttempts?: number;
  readonly tcpRetryDelayMs?: number;
}

export interface OpenIngestParams {
  readonly sessionId: string;
  readonly channelId: string;
  readonly transport: MediaTransport;
  readonly realm: string;
}

export interface IngestManagerEvents {
  opened: [ingest: Ingest];
  ended: [ingest: Ingest, reason: IngestEndReason];
  viewers: [ingest: Ingest, count: number];
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
