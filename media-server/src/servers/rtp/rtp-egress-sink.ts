import type { Socket as UdpSocket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import type { Server, Socket } from 'node:net';
import type { MediaTransport } from '@tessera/contracts';
import { type Clock, systemClock, type TimerHandle } from '@tessera/kit';
import { frameRfc4571 } from '@tessera/media-protocols';
import type { PortLease, PortPool } from './port-pool';
import type { RemoteAddress } from './rtp-source';
import { dialTcp } from './tcp-dialer';
import { listenTcp } from './tcp-passive-receiver';
import { bindUdp } from './udp-rtp-receiver';

export type RtpEgressSinkEndReason = 'connection-closed' | 'connect-failed';

export interface RtpEgressSinkEvents {
  /** TCP: the connection to the upper is up (we connected, or it connected to us). Sending may start. */
  connected: [remote: RemoteAddress];
  /** The sink stopped by itself: the upper closed the connection, or it was never made. */
  ended: [reason: RtpEgressSinkEndReason];
}

export interface RtpEgressSinkStats {
  connectAttempts: number;
  connections: number;
}

/**
 * Where an egress's RTP goes: datagrams from a port of ours to the upper, or RFC 4571 frames on one TCP
 * connection either side opened. Sockets live here; the egress (sessions/) only sees `ready`/`congested` and
 * hands over a frame's packets. `close()` is idempotent and emits nothing.
 */
export interface RtpEgressSink extends EventEmitter<RtpEgressSinkEvents> {
  readonly transport: MediaTransport;
  /** Our port for the SDP answer: the UDP source port, the TCP port we listen on, or (tcp-active) a reserved one. */
  readonly port: number;
  /** Packets can be sent now (UDP at once; TCP once connected). */
  readonly ready: boolean;
  /**
   * More is queued in this process than the peer (or the kernel) takes: the egress then skips frames until the
   * next keyframe instead of queueing, so a slow upper costs at most this much memory.
   */
  readonly congested: boolean;
  /** Bytes queued in this process, not yet handed to the kernel. */
  readonly queuedBytes: number;
  readonly remote: RemoteAddress | undefined;
  readonly stats: RtpEgressSinkStats;
  /** One frame's RTP packets. Dropped silently when not ready. */
  send(packets: readonly Buffer[]): void;
  close(): void;
}

/** About 4 s of a 2 Mbit/s camera: a GOP burst fits, a peer that stopped reading does not grow us further. */
export const DEFAULT_EGRESS_CONGESTION_BYTES = 1024 * 1024;

export interface EgressSinkCommonOptions {
  readonly pool: PortPool;
  /** Bind host. */
  readonly host: string;
  readonly congestionBytes?: number;
}

/** RTP/AVP: datagrams from our port (the one in our SDP answer) to the upper's c=/m=. */
export class UdpEgressSink extends EventEmitter<RtpEgressSinkEvents> implements RtpEgressSink {
  readonly transport = 'udp' as const;
  readonly ready = true;
  readonly remote: RemoteAddress;
  readonly stats: RtpEgressSinkStats = { connectAttempts: 0, connections: 0 };
  readonly #lease: PortLease<UdpSocket>;
  readonly #congestionBytes: number;
  #closed = false;

  private constructor(lease: PortLease<UdpSocket>, remote: RemoteAddress, congestionBytes: number) {
    super();
    this.#lease = lease;
    this.remote = remote;
    this.#congestionBytes = congestionBytes;
    // The upper may send RTCP (or anything) here: not ours to read. Errors on a bound UDP socket are ICMP
    // leftovers or a closed socket; a UDP upper that went away is noticed by its BYE, not by us.
    lease.value.on('error', () => {});
  }

  static async open(
    options: EgressSinkCommonOptions & { readonly remote: { host: string; port: number } },
  ): Promise<UdpEgressSink> {
    // Send buffer, not receive buffer: a keyframe leaves as a burst of ~100 datagrams.
    const lease = await options.pool.acquire((port) => bindUdp(options.host, port));
    try {
      lease.value.setSendBufferSize(1024 * 1024);
    } catch {
      // Capped by net.core.wmem_max or refused: the default works, with an earlier `congested`.
    }
    return new UdpEgressSink(
      lease,
      { address: options.remote.host, port: options.remote.port },
      options.congestionBytes ?? DEFAULT_EGRESS_CONGESTION_BYTES,
    );
  }

  get port(): number {
    return this.#lease.port;
  }

  get queuedBytes(): number {
    return this.#closed ? 0 : this.#lease.value.getSendQueueSize();
  }

  get congested(): boolean {
    return this.queuedBytes > this.#congestionBytes;
  }

  send(packets: readonly Buffer[]): void {
    if (this.#closed) return;
    const socket = this.#lease.value;
    // Fire and forget, as a camera does: a lost datagram is the receiver's jitter buffer's business.
    for (const packet of packets) socket.send(packet, this.remote.port, this.remote.address, ignore);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#lease.value.close();
    this.#lease.release();
    this.removeAllListeners();
  }
}

/** The connected half shared by both TCP sinks: RFC 4571 framing, congestion, the peer's close. */
abstract class TcpEgressSinkBase extends EventEmitter<RtpEgressSinkEvents> implements RtpEgressSink {
  abstract readonly transport: MediaTransport;
  abstract readonly port: number;
  readonly stats: RtpEgressSinkStats = { connectAttempts: 0, connections: 0 };
  readonly #congestionBytes: number;
  #socket: Socket | undefined;
  #remote: RemoteAddress | undefined;
  #closed = false;

  constructor(congestionBytes: number) {
    super();
    this.#congestionBytes = congestionBytes;
  }

  get ready(): boolean {
    return this.#socket?.writable === true;
  }

  get remote(): RemoteAddress | undefined {
    return this.#remote;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get queuedBytes(): number {
    return this.#socket?.writableLength ?? 0;
  }

  get congested(): boolean {
    return this.queuedBytes > this.#congestionBytes;
  }

  send(packets: readonly Buffer[]): void {
    const socket = this.#socket;
    if (!socket?.writable || packets.length === 0) return;
    // One write per frame: a keyframe is ~100 packets, and one syscall beats a hundred.
    socket.write(Buffer.concat(packets.map(frameRfc4571)));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#drop();
    this.closeListener();
    this.removeAllListeners();
  }

  /** Subclasses release their own resources (listener, port lease, pending dial). */
  protected abstract closeListener(): void;

  /** A connection to the upper is up; a newer one replaces the current (an upper reconnecting). */
  protected attach(socket: Socket): void {
    if (this.#closed) {
      socket.destroy();
      return;
    }
    this.#drop();
    this.stats.connections++;
    this.#socket = socket;
    this.#remote = { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
    socket.setNoDelay(true);
    // Half-open connections (an upper that vanished) are otherwise noticed only after minutes of retransmits.
    socket.setKeepAlive(true, 10_000);
    // The upper may send RTCP over the connection; reading and discarding keeps its side from blocking.
    socket.on('data', ignore);
    // 'close' follows every 'error'; the error itself (a reset peer) needs no handling.
    socket.on('error', ignore);
    socket.once('close', () => {
      if (this.#socket !== socket || this.#closed) return;
      this.#socket = undefined;
      this.emit('ended', 'connection-closed');
    });
    this.emit('connected', this.#remote);
  }

  #drop(): void {
    const socket = this.#socket;
    this.#socket = undefined;
    if (!socket) return;
    socket.removeAllListeners('close');
    socket.destroy();
  }
}

export interface TcpActiveEgressSinkOptions extends EgressSinkCommonOptions {
  readonly remote: { host: string; port: number };
  readonly clock?: Clock;
  readonly attempts?: number;
  readonly retryDelayMs?: number;
  readonly connectTimeoutMs?: number;
}

/**
 * The upper offered `a=setup:passive` (it listens): we connect to its c=/m=, retrying like the TCP active ingest.
 * Connecting starts at `open()` and runs in the background; the port we return is reserved in the range so the
 * SDP answer names a port of ours (as wvp does), but we do not promise to connect from it.
 */
export class TcpActiveEgressSink extends TcpEgressSinkBase {
  readonly transport = 'tcp-active' as const;
  readonly #lease: PortLease<number>;
  readonly #cancelDial: () => void;

  private constructor(lease: PortLease<number>, options: TcpActiveEgressSinkOptions) {
    super(options.congestionBytes ?? DEFAULT_EGRESS_CONGESTION_BYTES);
    this.#lease = lease;
    this.#cancelDial = dialTcp(
      {
        localHost: options.host,
        remote: options.remote,
        clock: options.clock ?? systemClock,
        attempts: options.attempts ?? 4,
        retryDelayMs: options.retryDelayMs ?? 1000,
        connectTimeoutMs: options.connectTimeoutMs ?? 1500,
      },
      {
        attempt: () => this.stats.connectAttempts++,
        connected: (socket) => this.attach(socket),
        failed: () => {
          if (!this.closed) this.emit('ended', 'connect-failed');
        },
      },
    );
  }

  static async open(options: TcpActiveEgressSinkOptions): Promise<TcpActiveEgressSink> {
    const lease = await options.pool.acquire(async (port) => port);
    return new TcpActiveEgressSink(lease, options);
  }

  get port(): number {
    return this.#lease.port;
  }

  protected closeListener(): void {
    this.#cancelDial();
    this.#lease.release();
  }
}

export interface TcpPassiveEgressSinkOptions extends EgressSinkCommonOptions {
  readonly clock?: Clock;
  /** The upper must connect within this long after `open()`, else the sink ends with `connect-failed`. */
  readonly acceptTimeoutMs?: number;
}

/**
 * The upper offered `a=setup:active` (it connects): we listen on a port of the range, named in our answer, and
 * send on the connection it makes. A later connection replaces the current one (an upper retrying after a
 * half-open connection); the end of the current one ends the sink.
 */
export class TcpPassiveEgressSink extends TcpEgressSinkBase {
  readonly transport = 'tcp-passive' as const;
  readonly #lease: PortLease<Server>;
  readonly #clock: Clock;
  #acceptTimer: TimerHandle | undefined;

  private constructor(lease: PortLease<Server>, options: TcpPassiveEgressSinkOptions) {
    super(options.congestionBytes ?? DEFAULT_EGRESS_CONGESTION_BYTES);
    this.#lease = lease;
    this.#clock = options.clock ?? systemClock;
    lease.value.on('connection', (socket) => {
      if (this.#acceptTimer) this.#clock.clearTimeout(this.#acceptTimer);
      this.#acceptTimer = undefined;
      this.attach(socket);
    });
    lease.value.on('error', ignore);
    this.#acceptTimer = this.#clock.setTimeout(() => {
      this.#acceptTimer = undefined;
      if (!this.closed) this.emit('ended', 'connect-failed');
    }, options.acceptTimeoutMs ?? 20_000);
  }

  static async open(options: TcpPassiveEgressSinkOptions): Promise<TcpPassiveEgressSink> {
    const lease = await options.pool.acquire((port) => listenTcp(options.host, port));
    return new TcpPassiveEgressSink(lease, options);
  }

  get port(): number {
    return this.#lease.port;
  }

  protected closeListener(): void {
    if (this.#acceptTimer) this.#clock.clearTimeout(this.#acceptTimer);
    this.#acceptTimer = undefined;
    this.#lease.value.close();
    this.#lease.release();
  }
}

function ignore(): void {}
