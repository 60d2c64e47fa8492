import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type Server, type Socket } from 'node:net';
import {
  type VideoAccessUnit,
  PsDemuxer,
  Rfc4571Deframer,
  parseRtpPacket,
  type RtpPacket,
} from '@tessera/media-protocols';
import { demuxAll, videoOf } from '@tessera/media-protocols/testing';

/**
 * An upper platform's media side in tests: takes RTP over UDP or RFC 4571 TCP (listening or connecting), keeps
 * every packet, and gives back the PS they carry and its demuxed access units.
 */
export class RtpReceiver {
  readonly packets: RtpPacket[] = [];
  /** Arrival time (ms, performance.now()) of the first packet. */
  firstPacketAt: number | undefined;
  socket: Socket | undefined;
  readonly #close: () => void;
  readonly #connected: Promise<Socket> | undefined;

  private constructor(close: () => void, connected?: Promise<Socket>) {
    this.#close = close;
    this.#connected = connected;
  }

  /** UDP on an OS-chosen loopback port. */
  static async udp(): Promise<{ receiver: RtpReceiver; port: number }> {
    const socket: UdpSocket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const receiver = new RtpReceiver(() => socket.close());
    socket.on('message', (msg) => receiver.#take(msg));
    return { receiver, port: socket.address().port };
  }

  /** TCP, listening on `port` (0 = OS-chosen): the egress connects to us (its tcp-active). */
  static async tcpServer(port = 0): Promise<{ receiver: RtpReceiver; port: number; server: Server }> {
    const server = createServer();
    let receiver: RtpReceiver | undefined;
    const connected = new Promise<Socket>((resolve) =>
      server.once('connection', (socket) => {
        receiver!.#attach(socket);
        resolve(socket);
      }),
    );
    receiver = new RtpReceiver(() => {
      receiver?.socket?.destroy();
      server.close();
    }, connected);
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    const address = server.address();
    return { receiver, port: typeof address === 'object' && address ? address.port : 0, server };
  }

  /** TCP, connecting to the egress's listening port (its tcp-passive). */
  static async tcpClient(host: string, port: number): Promise<RtpReceiver> {
    const socket = connect({ host, port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const receiver = new RtpReceiver(() => socket.destroy());
    receiver.#attach(socket);
    return receiver;
  }

  /** TCP: resolves when the peer connected (servers) or at once (clients). */
  connected(): Promise<Socket> {
    return this.#connected ?? Promise.resolve(this.socket!);
  }

  /** The PS bytes, in arrival order (loopback keeps UDP in order). */
  ps(): Buffer {
    return Buffer.concat(this.packets.map((p) => p.payload));
  }

  video(): VideoAccessUnit[] {
    return videoOf(demuxAll(new PsDemuxer(), [this.ps()]));
  }

  close(): void {
    this.#close();
  }

  #attach(socket: Socket): void {
    this.socket = socket;
    socket.on('error', () => {});
    const deframer = new Rfc4571Deframer({ framing: 'rfc4571' });
    socket.on('data', (chunk: Buffer) => {
      for (const framed of deframer.push(chunk)) this.#take(framed.data);
    });
  }

  #take(data: Buffer): void {
    this.firstPacketAt ??= performance.now();
    // Copies: deframed packets may be views of a chunk.
    this.packets.push(parseRtpPacket(Buffer.from(data)));
  }
}
