import type { Socket as UdpSocket } from 'node:dgram';
import type { Socket } from 'node:net';
import { frameRfc4571 } from '@tessera/media-protocols';

/** Where a stream's RTP packets go: a UDP peer, or a TCP connection with RFC 4571 framing. */
export interface RtpSink {
  send(packet: Buffer): void;
  /** True while the peer cannot keep up; the streamer then skips to the next keyframe instead of queueing. */
  readonly congested: boolean;
}

/** RTP/AVP: datagrams from our media socket (its port is the one in our answer) to the offer's c=/m=. */
export class UdpRtpSink implements RtpSink {
  readonly congested = false;
  readonly #socket: UdpSocket;
  readonly #host: string;
  readonly #port: number;

  constructor(socket: UdpSocket, host: string, port: number) {
    this.#socket = socket;
    this.#host = host;
    this.#port = port;
  }

  send(packet: Buffer): void {
    // Fire and forget, as a camera does: a lost datagram is the receiver's jitter buffer's business.
    this.#socket.send(packet, this.#port, this.#host, () => undefined);
  }
}

/** More than this unsent (about 2 s of a 2 Mbit/s stream) and the peer is not reading. */
const CONGESTED_BYTES = 512 * 1024;

/** TCP/RTP/AVP: each packet behind its 2-byte length (RFC 4571), on one connection either side opened. */
export class TcpRtpSink implements RtpSink {
  readonly #socket: Socket;

  constructor(socket: Socket) {
    this.#socket = socket;
  }

  get congested(): boolean {
    return this.#socket.writableLength > CONGESTED_BYTES;
  }

  send(packet: Buffer): void {
    if (this.#socket.destroyed || !this.#socket.writable) return;
    this.#socket.write(frameRfc4571(packet));
  }
}
