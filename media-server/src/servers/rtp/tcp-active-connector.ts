import { EventEmitter } from 'node:events';
import { type Clock, systemClock } from '@tessera/kit';
import type { PortLease, PortPool } from './port-pool';
import {
  createRtpSourceStats,
  type DeviceEndpoint,
  type RemoteAddress,
  type RtpSource,
  type RtpSourceEvents,
  type RtpSourceStats,
} from './rtp-source';
import { dialTcp } from './tcp-dialer';
import { TcpRtpConnections } from './tcp-rtp-connection';

export interface TcpActiveConnectorOptions {
  readonly pool: PortPool;
  /** Local address to connect from (the bind host; 0.0.0.0 = any). */
  readonly host: string;
  readonly clock?: Clock;
  /**
   * Connect attempts before giving up (devices start listening a moment after their 200 OK). The defaults —
   * 4 attempts, 1.5 s each, 1 s apart — end within the default 10 s media timeout.
   */
  readonly attempts?: number;
  /** Pause between attempts; 2022 Annex D has devices retry at ≥1 s, we do the same towards them. */
  readonly retryDelayMs?: number;
  readonly connectTimeoutMs?: number;
}

/**
 * TCP/RTP/AVP with `a=setup:active` in our offer: after the device's answer (`media.connect-ingest`) we
 * connect to the port it announced, retrying a few times ≥1 s apart. The port we offered is reserved in the
 * range (so the SDP names a port of ours, as wvp does) but nothing listens on it.
 */
export class TcpActiveConnector extends EventEmitter<RtpSourceEvents> implements RtpSource {
  readonly transport = 'tcp-active' as const;
  readonly ordered = true;
  readonly stats: RtpSourceStats = createRtpSourceStats();
  readonly #lease: PortLease<number>;
  readonly #clock: Clock;
  readonly #host: string;
  readonly #attempts: number;
  readonly #retryDelayMs: number;
  readonly #connectTimeoutMs: number;
  readonly #connections = new TcpRtpConnections(this);
  #remote: DeviceEndpoint | undefined;
  #cancelDial: (() => void) | undefined;
  #closed = false;

  private constructor(lease: PortLease<number>, options: TcpActiveConnectorOptions) {
    super();
    this.#lease = lease;
    this.#clock = options.clock ?? systemClock;
    this.#host = options.host;
    this.#attempts = options.attempts ?? 4;
    this.#retryDelayMs = options.retryDelayMs ?? 1000;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 1500;
  }

  static async open(options: TcpActiveConnectorOptions): Promise<TcpActiveConnector> {
    const lease = await options.pool.acquire(async (port) => port);
    return new TcpActiveConnector(lease, options);
  }

  get port(): number {
    return this.#lease.port;
  }

  /** Starts connecting; a second answer (re-sent command) to the same address is ignored. */
  setRemote(remote: DeviceEndpoint): void {
    if (this.#closed) return;
    if (this.#remote && this.#remote.host === remote.host && this.#remote.port === remote.port) return;
    this.#remote = remote;
    this.#connections.deviceHost = remote.host;
    this.#cancel();
    this.#connections.drop();
    this.#dial(remote);
  }

  /** The one connection is ours, to the device's answered address. */
  latched(from: RemoteAddress): void {
    if (!this.#closed) this.#connections.latch(from);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#cancel();
    this.#connections.drop();
    this.#lease.release();
    this.removeAllListeners();
  }

  #dial(remote: DeviceEndpoint): void {
    this.#cancelDial = dialTcp(
      {
        localHost: this.#host,
        remote,
        clock: this.#clock,
        attempts: this.#attempts,
        retryDelayMs: this.#retryDelayMs,
        connectTimeoutMs: this.#connectTimeoutMs,
      },
      {
        attempt: () => this.stats.connectAttempts++,
        failed: () => {
          if (!this.#closed) this.emit('ended', 'connection-closed');
        },
        connected: (socket) => this.#connections.take(socket),
      },
    );
  }

  #cancel(): void {
    this.#cancelDial?.();
    this.#cancelDial = undefined;
  }
}
