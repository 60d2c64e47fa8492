import { EventEmitter } from 'node:events';
import { connect } from 'node:net';
import { type Clock, systemClock, type TimerHandle } from '@tessera/kit';
import type { PortLease, PortPool } from './port-pool';
import {
  createRtpSourceStats,
  type DeviceEndpoint,
  type RtpSource,
  type RtpSourceEvents,
  type RtpSourceStats,
} from './rtp-source';
import { TcpRtpConnection } from './tcp-rtp-connection';

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
  #remote: DeviceEndpoint | undefined;
  #connection: TcpRtpConnection | undefined;
  #timer: TimerHandle | undefined;
  #pending: (() => void) | undefined;
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
    this.#cancel();
    this.#connection?.destroy();
    this.#connection = undefined;
    this.#attempt(1);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#cancel();
    this.#connection?.destroy();
    this.#connection = undefined;
    this.#lease.release();
    this.removeAllListeners();
  }

  #attempt(n: number): void {
    const remote = this.#remote;
    if (this.#closed || !remote) return;
    this.stats.connectAttempts++;
    const local = this.#host === '0.0.0.0' || this.#host === '::' ? undefined : this.#host;
    const socket = connect({ host: remote.host, port: remote.port, localAddress: local });
    let settled = false;
    const fail = () => {
      if (settled) return;
      settled = true;
      this.#pending = undefined;
      if (this.#timer) this.#clock.clearTimeout(this.#timer);
      socket.destroy();
      if (this.#closed || this.#remote !== remote) return;
      if (n >= this.#attempts) {
        this.emit('ended', 'connection-closed');
        return;
      }
      this.#timer = this.#clock.setTimeout(() => this.#attempt(n + 1), this.#retryDelayMs);
    };
    this.#pending = () => {
      settled = true;
      socket.destroy();
    };
    this.#timer = this.#clock.setTimeout(fail, this.#connectTimeoutMs);
    socket.once('error', fail);
    socket.once('connect', () => {
      if (settled) return;
      settled = true;
      this.#pending = undefined;
      if (this.#timer) this.#clock.clearTimeout(this.#timer);
      socket.removeListener('error', fail);
      this.stats.connections++;
      const connection = new TcpRtpConnection({
        socket,
        stats: this.stats,
        onPacket: (packet, from) => this.emit('packet', packet, from),
        onClose: () => {
          if (this.#connection !== connection || this.#closed) return;
          this.#connection = undefined;
          this.emit('ended', 'connection-closed');
        },
      });
      this.#connection = connection;
      this.emit('connected', connection.remote);
    });
  }

  #cancel(): void {
    if (this.#timer) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending?.();
    this.#pending = undefined;
  }
}
