import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:net';
import type { PortLease, PortPool } from './port-pool';
import {
  createRtpSourceStats,
  type DeviceEndpoint,
  type RemoteAddress,
  type RtpSource,
  type RtpSourceEvents,
  type RtpSourceStats,
} from './rtp-source';
import { TcpRtpConnections } from './tcp-rtp-connection';

export interface TcpPassiveReceiverOptions {
  readonly pool: PortPool;
  readonly host: string;
}

/**
 * TCP/RTP/AVP with `a=setup:passive` in our offer: we listen on a port of the range and the device connects
 * (2022 Annex D makes the front-end the TCP client). One connection carries the stream — the one the ingest
 * latches onto (`TcpRtpConnections`): afterwards only the device's host may connect, and a newer connection of the
 * same stream replaces it (a device retrying after a half-open connection). The end of the latched connection
 * ends the source (`ended: connection-closed`).
 */
export class TcpPassiveReceiver extends EventEmitter<RtpSourceEvents> implements RtpSource {
  readonly transport = 'tcp-passive' as const;
  readonly ordered = true;
  readonly stats: RtpSourceStats = createRtpSourceStats();
  readonly #lease: PortLease<Server>;
  readonly #connections = new TcpRtpConnections(this);
  #closed = false;

  private constructor(lease: PortLease<Server>) {
    super();
    this.#lease = lease;
    lease.value.on('connection', (socket) => {
      if (this.#closed) {
        socket.destroy();
        return;
      }
      this.#connections.take(socket);
    });
    lease.value.on('error', () => {});
  }

  static async open(options: TcpPassiveReceiverOptions): Promise<TcpPassiveReceiver> {
    const lease = await options.pool.acquire((port) => listenTcp(options.host, port));
    return new TcpPassiveReceiver(lease);
  }

  get port(): number {
    return this.#lease.port;
  }

  /** The device connects to us: its announced host may connect even when another one is latched (NAT). */
  setRemote(remote: DeviceEndpoint): void {
    this.#connections.deviceHost = remote.host === '' ? undefined : remote.host;
  }

  latched(from: RemoteAddress): void {
    if (!this.#closed) this.#connections.latch(from);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#connections.drop();
    this.#lease.value.close();
    this.#lease.release();
    this.removeAllListeners();
  }
}

/** Listens on a TCP port; undefined when it is taken (the pool then tries the next). */
export function listenTcp(host: string, port: number): Promise<Server | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      server.close();
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve(undefined);
      else reject(error);
    });
    server.listen({ port, host, exclusive: true }, () => {
      server.removeAllListeners('error');
      resolve(server);
    });
  });
}
