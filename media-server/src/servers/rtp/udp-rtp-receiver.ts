import { createSocket, type Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { isIPv6 } from 'node:net';
import type { PortLease, PortPool } from './port-pool';
import {
  createRtpSourceStats,
  type DeviceEndpoint,
  type RtpSource,
  type RtpSourceEvents,
  type RtpSourceStats,
} from './rtp-source';

export interface UdpRtpReceiverOptions {
  readonly pool: PortPool;
  readonly host: string;
  /** SO_RCVBUF: a keyframe arrives as a burst of ~100 datagrams (capped by net.core.rmem_max). */
  readonly receiveBufferBytes?: number;
}

/** RTP/AVP over UDP on a port of its own (GB/T 28181 default transport). */
export class UdpRtpReceiver extends EventEmitter<RtpSourceEvents> implements RtpSource {
  readonly transport = 'udp' as const;
  readonly ordered = false;
  readonly stats: RtpSourceStats = createRtpSourceStats();
  readonly #lease: PortLease<Socket>;
  #closed = false;

  private constructor(lease: PortLease<Socket>) {
    super();
    this.#lease = lease;
    const socket = lease.value;
    socket.on('message', (msg, rinfo) => this.emit('packet', msg, rinfo));
    // Errors on a bound UDP socket are ICMP leftovers or a closed socket; nothing to recover.
    socket.on('error', () => {});
  }

  static async open(options: UdpRtpReceiverOptions): Promise<UdpRtpReceiver> {
    const lease = await options.pool.acquire((port) =>
      bindUdp(options.host, port, options.receiveBufferBytes ?? 2 * 1024 * 1024),
    );
    return new UdpRtpReceiver(lease);
  }

  get port(): number {
    return this.#lease.port;
  }

  setRemote(_remote: DeviceEndpoint): void {
    // Which source is the device is the ingest's decision (`RtpSourceLatch`): it must count what it drops, and a
    // NAT may show the device from another address than it announced.
  }

  latched(): void {
    // Nothing to narrow: the ingest drops other sources' datagrams itself.
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#lease.value.close();
    this.#lease.release();
    this.removeAllListeners();
  }
}

/** Binds a UDP socket; undefined when the port is taken (the pool then tries the next). */
export function bindUdp(
  host: string,
  port: number,
  receiveBufferBytes?: number,
): Promise<Socket | undefined> {
  return new Promise((resolve, reject) => {
    const socket = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4', recvBufferSize: receiveBufferBytes });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      closeQuietly(socket);
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve(undefined);
      else reject(error);
    });
    socket.bind(port, host, () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });
}

function closeQuietly(socket: Socket): void {
  try {
    socket.close();
  } catch {
    // Never bound: nothing to close.
  }
}
