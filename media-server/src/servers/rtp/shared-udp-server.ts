import type { Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import {
  createRtpSourceStats,
  type DeviceEndpoint,
  type RemoteAddress,
  type RtpSource,
  type RtpSourceEvents,
  type RtpSourceStats,
} from './rtp-source';
import { bindUdp } from './udp-rtp-receiver';

export interface SharedUdpServerStats {
  packets: number;
  /** Not an RTP v2 header: dropped. */
  malformedPackets: number;
  /** SSRC of no ingest, and no ingest waiting for its first stream could take it. */
  unroutedPackets: number;
  /** Streams with an unexpected SSRC that the one ingest that could take them latched onto. */
  adoptedStreams: number;
}

/**
 * Single-port mode (TESSERA_MEDIA_SINGLE_PORT): every UDP ingest shares one socket and packets are routed by
 * SSRC — the offered one, or the one the device answered. Devices may send yet another SSRC (notes §1.6): a
 * stream with an unknown SSRC goes to the ingest still waiting for its first packet from that source address
 * (the host the device answered), or to the only waiting ingest; when that is ambiguous it is dropped and
 * counted, since guessing would show one camera in another's session. The ingest then decides (`RtpSourceLatch`):
 * an unknown SSRC is routed to it for good only once it latched onto that stream, so a stranger's packets neither
 * fill the routing table nor stop the real device's stream from being adopted.
 */
export class SharedUdpServer {
  readonly stats: SharedUdpServerStats = {
    packets: 0,
    malformedPackets: 0,
    unroutedPackets: 0,
    adoptedStreams: 0,
  };
  readonly port: number;
  readonly #socket: Socket;
  readonly #bySsrc = new Map<number, SharedUdpChannel>();
  readonly #channels = new Set<SharedUdpChannel>();
  #closed = false;

  private constructor(socket: Socket) {
    this.#socket = socket;
    this.port = socket.address().port;
    socket.on('message', (msg, rinfo) => this.#route(msg, rinfo));
    socket.on('error', () => {});
  }

  static async listen(options: {
    host: string;
    port: number;
    receiveBufferBytes?: number;
  }): Promise<SharedUdpServer> {
    const socket = await bindUdp(options.host, options.port, options.receiveBufferBytes ?? 8 * 1024 * 1024);
    if (!socket) throw new Error(`single RTP port ${options.port} is in use`);
    return new SharedUdpServer(socket);
  }

  /** A source for one ingest, expecting `ssrc` (the one we offered). */
  channel(ssrc: number): SharedUdpChannel {
    const channel = new SharedUdpChannel(this.port, {
      expect: (value) => this.#bySsrc.set(value, channel),
      latched: (value) => {
        if (this.#bySsrc.get(value) === channel) return;
        // Another ingest's SSRC stays theirs; the latch only ever follows an SSRC routed here.
        if (this.#bySsrc.has(value)) return;
        this.#bySsrc.set(value, channel);
        this.stats.adoptedStreams++;
      },
      remove: () => {
        this.#channels.delete(channel);
        for (const [value, owner] of this.#bySsrc) if (owner === channel) this.#bySsrc.delete(value);
      },
    });
    this.#channels.add(channel);
    this.#bySsrc.set(ssrc, channel);
    return channel;
  }

  get channels(): number {
    return this.#channels.size;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const channel of [...this.#channels]) channel.close();
    this.#socket.close();
  }

  #route(msg: Buffer, rinfo: RemoteAddress): void {
    this.stats.packets++;
    if (msg.length < 12 || msg[0]! >> 6 !== 2) {
      this.stats.malformedPackets++;
      return;
    }
    const ssrc = msg.readUInt32BE(8);
    const channel = this.#bySsrc.get(ssrc) ?? this.#adopt(rinfo.address);
    if (!channel) {
      this.stats.unroutedPackets++;
      return;
    }
    channel.deliver(msg, rinfo);
  }

  #adopt(address: string): SharedUdpChannel | undefined {
    const waiting = [...this.#channels].filter((c) => !c.receiving);
    const fromDevice = waiting.filter((c) => c.deviceHost === address);
    if (fromDevice.length === 1) return fromDevice[0];
    if (fromDevice.length === 0 && waiting.length === 1) return waiting[0];
    return undefined;
  }
}

interface SharedUdpRouting {
  expect(ssrc: number): void;
  latched(ssrc: number): void;
  remove(): void;
}

/** An ingest's share of the single UDP port. */
export class SharedUdpChannel extends EventEmitter<RtpSourceEvents> implements RtpSource {
  readonly transport = 'udp' as const;
  readonly ordered = false;
  readonly stats: RtpSourceStats = createRtpSourceStats();
  readonly port: number;
  deviceHost: string | undefined;
  /** The ingest latched onto a stream: unknown SSRCs are no longer given to it. */
  receiving = false;
  readonly #server: SharedUdpRouting;
  #closed = false;

  constructor(port: number, server: SharedUdpRouting) {
    super();
    this.port = port;
    this.#server = server;
  }

  setRemote(remote: DeviceEndpoint, ssrc: number | undefined): void {
    if (this.#closed) return;
    this.deviceHost = remote.host;
    if (ssrc !== undefined) this.#server.expect(ssrc);
  }

  deliver(packet: Buffer, from: RemoteAddress): void {
    this.emit('packet', packet, from);
  }

  latched(_from: RemoteAddress, ssrc: number): void {
    if (this.#closed) return;
    this.receiving = true;
    this.#server.latched(ssrc);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#server.remove();
    this.removeAllListeners();
  }
}
