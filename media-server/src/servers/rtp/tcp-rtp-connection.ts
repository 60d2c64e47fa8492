import type { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { Rfc4571Deframer } from '../../protocols/rfc4571/rfc4571-deframer';
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

/**
 * The one connection a TCP source reads from, whoever opened it (the device connecting to us, or we to it): a
 * connection taken in replaces the current one, each is counted, its packets and `connected` are the source's, and
 * the close of the current one (not of one replaced or dropped) is the source's `ended: connection-closed`.
 */
export class CurrentTcpRtpConnection {
  readonly #source: EventEmitter<RtpSourceEvents> & { readonly stats: RtpSourceStats };
  #connection: TcpRtpConnection | undefined;

  constructor(source: EventEmitter<RtpSourceEvents> & { readonly stats: RtpSourceStats }) {
    this.#source = source;
  }

  /** Reads RTP from this socket from now on; the current connection, if any, is destroyed. */
  take(socket: Socket): void {
    this.#connection?.destroy();
    const source = this.#source;
    source.stats.connections++;
    const connection = new TcpRtpConnection({
      socket,
      stats: source.stats,
      onPacket: (packet, from) => source.emit('packet', packet, from),
      onClose: () => {
        if (this.#connection !== connection) return;
        this.#connection = undefined;
        source.emit('ended', 'connection-closed');
      },
    });
    this.#connection = connection;
    source.emit('connected', connection.remote);
  }

  /** Destroys the current connection, if any; its close ends nothing. */
  drop(): void {
    this.#connection?.destroy();
    this.#connection = undefined;
  }
}
