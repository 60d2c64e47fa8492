import { createSocket, type RemoteInfo, type Socket, type SocketOptions } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { SipTransportError } from '../errors';
import { defaultSipLimits, type SipLimits } from '../message/limits';
import { normalizeAddress } from './address';
import { type InboundSink, receive } from './inbound';
import { sharedUdpOptions } from './shared-port';
import {
  emptyTransportStats,
  type LocalAddress,
  type RemoteAddress,
  type SipTransport,
  type SipTransportEvents,
  type SipTransportStats,
} from './transport';

export interface UdpTransportOptions {
  limits?: SipLimits;
  /**
   * Socket receive buffer. A city's devices answer a catalog sweep or re-register after an outage in bursts; the
   * kernel default (~208 KiB, a few hundred messages) drops them. The kernel caps it at net.core.rmem_max.
   */
  receiveBufferBytes?: number;
}

// IPv4 UDP payload limit; RFC 3261 §18.1.1's switch to TCP above MTU-200 is the sender's policy, not ours.
const maxDatagramBytes = 65_507;

/** SIP over UDP: one datagram, one message. The transport GB/T 28181 devices use by default. */
export class UdpTransport extends EventEmitter<SipTransportEvents> implements SipTransport {
  readonly kind = 'udp' as const;
  readonly stats: SipTransportStats = emptyTransportStats();
  readonly #sink: InboundSink;
  readonly #receiveBufferBytes: number;
  #socket: Socket | undefined;
  #local: LocalAddress | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: UdpTransportOptions = {}) {
    super();
    this.#receiveBufferBytes = options.receiveBufferBytes ?? 4 * 1024 * 1024;
    this.#sink = {
      limits: options.limits ?? defaultSipLimits,
      stats: this.stats,
      deliver: (inbound) => this.emit('message', inbound),
      reject: (failure) => this.emit('parseError', failure),
      reply: (bytes, remote) => this.send(bytes, remote),
    };
  }

  get localAddress(): LocalAddress | undefined {
    return this.#local;
  }

  /** `shared`: other processes may bind the same port (gateway replicas; `shared-port.ts`). */
  async listen(options: { host: string; port: number; shared?: boolean }): Promise<LocalAddress> {
    if (this.#closing) throw new SipTransportError('closed', 'transport closed');
    if (this.#socket) throw new SipTransportError('not-listening', 'already listening');
    const socket = createSocket({
      type: options.host.includes(':') ? 'udp6' : 'udp4',
      recvBufferSize: this.#receiveBufferBytes,
      sendBufferSize: this.#receiveBufferBytes,
      ...(options.shared ? sharedUdpOptions() : {}),
    } as SocketOptions);
    this.#socket = socket;
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(options.port, options.host, () => {
          socket.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      this.#socket = undefined;
      socket.close();
      throw new SipTransportError('not-listening', `cannot bind ${options.host}:${options.port}`, {
        cause: error,
      });
    }
    // After bind, socket errors (e.g. ICMP-driven) are counted, never thrown: the socket stays usable.
    socket.on('error', () => {
      this.stats.socketErrors++;
    });
    socket.on('message', (bytes, info) => this.#onDatagram(bytes, info));
    const bound = socket.address();
    this.#local = { address: bound.address, port: bound.port };
    return this.#local;
  }

  /**
   * Gives the port back before the transport is used, so that `listen` may be called again (see
   * `listenOnOnePort`: the port the OS chose for UDP may be taken for TCP).
   */
  async unlisten(): Promise<void> {
    const socket = this.#socket;
    if (!socket || this.#closing) return;
    this.#socket = undefined;
    this.#local = undefined;
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  /** One promise per datagram, settled from the socket's callback (this runs for every response sent). */
  send(message: Buffer, remote: RemoteAddress): Promise<void> {
    const socket = this.#socket;
    let refused: SipTransportError | undefined;
    if (this.#closing) refused = new SipTransportError('closed', 'transport closed');
    else if (!socket) refused = new SipTransportError('not-listening', 'listen() first');
    else if (message.length > maxDatagramBytes) {
      refused = new SipTransportError('too-large', `${message.length} bytes does not fit a datagram`);
    }
    if (refused !== undefined || !socket) {
      this.stats.sendErrors++;
      return Promise.reject(refused);
    }
    return new Promise((resolve, reject) => {
      socket.send(message, remote.port, remote.address, (error) => {
        if (error) {
          this.stats.sendErrors++;
          reject(
            new SipTransportError('send-failed', `to ${remote.address}:${remote.port}`, { cause: error }),
          );
          return;
        }
        this.stats.messagesSent++;
        this.stats.bytesSent += message.length;
        resolve();
      });
    });
  }

  close(): Promise<void> {
    this.#closing ??= new Promise((resolve) => {
      const socket = this.#socket;
      if (!socket) return resolve();
      socket.close(() => resolve());
    });
    return this.#closing;
  }

  #onDatagram(bytes: Buffer, info: RemoteInfo): void {
    const remote: RemoteAddress = {
      transport: 'udp',
      address: normalizeAddress(info.address),
      port: info.port,
    };
    receive(bytes, remote, this.#sink);
  }
}
