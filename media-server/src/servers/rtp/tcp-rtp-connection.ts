import type { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { Rfc4571Deframer } from '@tessera/media-protocols';
import type { RemoteAddress, RtpSourceEvents, RtpSourceStats } from './rtp-source';

/**
 * One TCP connection carrying RTP (RFC 4571, or RTSP-interleaved which some devices send): bytes → packets.
 * Shared by the passive and the active TCP source.
 */
export class TcpRtpConnection {
  readonly socket: Socket;
  readonly remote: RemoteAddress;
  readonly #deframer = new Rfc4571Deframer();
  readonly #stats: RtpSourceStats;
  #garbageSeen = 0;

  constructor(options: {
    socket: Socket;
    stats: RtpSourceStats;
    onPacket: (packet: Buffer, from: RemoteAddress) => void;
    onClose: () => void;
  }) {
    this.socket = options.socket;
    this.#stats = options.stats;
    this.remote = { address: this.socket.remoteAddress ?? '', port: this.socket.remotePort ?? 0 };
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk: Buffer) => {
      for (const framed of this.#deframer.push(chunk)) {
        // Odd interleaved channels carry RTCP: not media.
        if (framed.channel === undefined || framed.channel % 2 === 0)
          options.onPacket(framed.data, this.remote);
      }
      const garbage = this.#deframer.stats.garbageBytes;
      this.#stats.garbageBytes += garbage - this.#garbageSeen;
      this.#garbageSeen = garbage;
    });
    // 'close' follows every 'error'; the error itself (a reset peer) needs no handling.
    this.socket.on('error', () => {});
    this.socket.once('close', options.onClose);
  }

  destroy(): void {
    this.socket.removeAllListeners('close');
    this.socket.destroy();
  }
}

/** Connections a TCP source keeps open at once before one is latched (a device retrying, a NAT, a scanner). */
const MAX_CANDIDATES = 4;

/**
 * The connections a TCP source reads from, whoever opened them (the device connecting to us, or we to it). Until
 * the ingest latches a stream (`RtpSourceLatch`) every connection is a candidate whose packets the ingest sees
 * (at most `MAX_CANDIDATES` at once; more are refused unless from the device's host, which evicts the oldest
 * other one). Once latched, the latched connection is *the* connection: the others are closed, and only the
 * latched host or the device's announced host may connect again (a device retrying after a half-open connection;
 * the ingest decides whether its packets take over). The close of the latched connection is the source's
 * `ended: connection-closed`; the close of a candidate ends nothing (the media timeout does).
 */
export class TcpRtpConnections {
  readonly #source: EventEmitter<RtpSourceEvents> & { readonly stats: RtpSourceStats };
  readonly #candidates = new Set<TcpRtpConnection>();
  #current: TcpRtpConnection | undefined;
  /** The device's host from its SDP answer (`setRemote`); undefined before it or when it named none. */
  deviceHost: string | undefined;

  constructor(source: EventEmitter<RtpSourceEvents> & { readonly stats: RtpSourceStats }) {
    this.#source = source;
  }

  /** A new connection: read from it, or close it at once (refused, counted). */
  take(socket: Socket): void {
    const source = this.#source;
    const address = socket.remoteAddress ?? '';
    const privileged =
      (this.deviceHost !== undefined && address === this.deviceHost) ||
      (this.#current !== undefined && address === this.#current.remote.address);
    const refuse =
      (this.#current !== undefined && !privileged) ||
      (this.#candidates.size >= MAX_CANDIDATES && !(privileged && this.#evictOne()));
    if (refuse) {
      source.stats.refusedConnections++;
      socket.on('error', () => {});
      socket.destroy();
      return;
    }
    source.stats.connections++;
    const connection = new TcpRtpConnection({
      socket,
      stats: source.stats,
      onPacket: (packet, from) => source.emit('packet', packet, from),
      onClose: () => {
        this.#candidates.delete(connection);
        if (this.#current !== connection) return;
        this.#current = undefined;
        source.emit('ended', 'connection-closed');
      },
    });
    this.#candidates.add(connection);
    source.emit('connected', connection.remote);
  }

  /** The ingest takes the stream of this connection: the others are closed; if it is gone, the source ended. */
  latch(from: RemoteAddress): void {
    let latched: TcpRtpConnection | undefined;
    for (const c of this.#candidates) {
      if (c.remote.address === from.address && c.remote.port === from.port) latched = c;
    }
    if (!latched) {
      if (this.#current) return;
      this.#source.emit('ended', 'connection-closed');
      return;
    }
    this.#current = latched;
    for (const c of [...this.#candidates]) {
      if (c === latched) continue;
      this.#candidates.delete(c);
      c.destroy();
    }
  }

  /** Destroys every connection; their close ends nothing. */
  drop(): void {
    for (const c of this.#candidates) c.destroy();
    this.#candidates.clear();
    this.#current = undefined;
  }

  /**
   * Makes room for the device: closes the oldest candidate from elsewhere, else the oldest of its own (a device
   * that keeps reconnecting without sending). Never the latched one.
   */
  #evictOne(): boolean {
    const others = [...this.#candidates].filter((c) => c !== this.#current);
    const victim = others.find((c) => c.remote.address !== this.deviceHost) ?? others[0];
    if (!victim) return false;
    this.#candidates.delete(victim);
    victim.destroy();
    return true;
  }
}
