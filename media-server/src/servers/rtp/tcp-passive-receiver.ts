import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:net';
import type { PortLease, PortPool } from './port-pool';
import {
  createRtpSourceStats,
  type DeviceEndpoint,
  type RtpSource,
  type RtpSourceEvents,
  type RtpSourceStats,
} from './rtp-source';
import { CurrentTcpRtpConnection } from './tcp-rtp-connection';

export interface TcpPassiveReceiverOptions {
  readonly pool: PortPool;
  readonly host: string;
}

/**
 * TCP/RTP/AVP with `a=setup:passive` in our offer: we listen on a port of the range and the device connects
 * (2022 Annex D makes the front-end the TCP client). One connection carries the stream; a newer connection
 * replaces the current one (a device retrying after a half-open connection), and the end of the current one
 * ends the source (`ended: connection-closed`).
 */
export class TcpPassiveReceiver extends EventEmitter<RtpSourceEvents> implements RtpSource {
  readonly transport = 'tcp-passive' as const;
  readonly ordered = true;
  readonly stats: RtpSourceStats = createRtpSourceStats();
  readonly #lease: PortLease<Server>;
  readonly #connection = new CurrentTcpRtpConnection(this);
  #closed = false;

  private constructor(lease: PortLease<Server>) {
    super();
    this.#lease = lease;
    lease.value.on('connection', (socket) => {
      if (this.#closed) {
        socket.destroy();
        return;
      }
      this.#connection.take(socket);
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

  setRemote(_remote: DeviceEndpoint): void {
    // The device connects to us; its announced address is informational (NAT may rewrite it).
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#connection.drop();
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
