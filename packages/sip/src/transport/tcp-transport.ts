import { EventEmitter } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { type Clock, systemClock, type TimerHandle } from '@tessera/kit';
import { SipFramingError, SipTransportError } from '../errors';
import { defaultSipLimits, type SipLimits } from '../message/limits';
import { normalizeAddress, remoteKey } from './address';
import { type InboundSink, receive } from './inbound';
import { SipStreamFramer } from './stream-framer';
import { reusePortSupported } from './shared-port';
import {
  emptyTransportStats,
  type LocalAddress,
  type RemoteAddress,
  type SipTransport,
  type SipTransportEvents,
  type SipTransportStats,
} from './transport';

export interface TcpTransportOptions {
  limits?: SipLimits;
  /** Drives the idle and connect timers; tests pass a ManualClock. */
  clock?: Clock;
  /**
   * A connection with no traffic in either direction for this long is closed. GB/T 28181 devices send a keepalive
   * every 60 s and are declared offline after 3 missed, so the default sits above 180 s.
   */
  idleTimeoutMs?: number;
  connectTimeoutMs?: number;
  /**
   * Accepted connections from one address at once; more are closed at accept. A site behind one NAT address uses
   * one per device. Default 64.
   */
  maxConnectionsPerSource?: number;
  /** Connections at once, both directions; accepts beyond it are closed. Keep it under the fd limit. Default 10,000. */
  maxConnections?: number;
  /**
   * An accepted connection that has not sent a complete message since it opened, or has held an incomplete one, for
   * this long is closed: it is not reset by more bytes, so a peer dribbling a message keeps no socket. Default 30 s.
   */
  incompleteTimeoutMs?: number;
}

/** Accepted connections closed at once, by the limit they hit. */
export interface TcpRefusals {
  perSource: number;
  total: number;
  /** Closed for holding an incomplete message past `incompleteTimeoutMs`. */
  incomplete: number;
}

interface Connection {
  id: string;
  key: string;
  socket: Socket;
  framer: SipStreamFramer;
  remote: RemoteAddress;
  idle: TimerHandle | undefined;
  /** Accepted (counted against its source) rather than opened by us. */
  inbound: boolean;
  /** Runs while an accepted connection holds an incomplete message or has sent none yet. */
  incomplete: TimerHandle | undefined;
  sentMessage: boolean;
}

/**
 * SIP over TCP, both directions: it accepts connections and opens them on demand when sending to an address it has
 * no connection to. One connection per remote address is reused for everything (a GB/T 28181-2022 device behind NAT
 * registers over TCP and expects every later request on that connection). Each message is pinned to its connection
 * by `RemoteAddress.connectionId`; `connectionClosed` carries that id, which is what tells the layers above that a
 * TCP-registered device went offline.
 */
export class TcpTransport extends EventEmitter<SipTransportEvents> implements SipTransport {
  readonly kind = 'tcp' as const;
  readonly stats: SipTransportStats = emptyTransportStats();
  readonly refusals: TcpRefusals = { perSource: 0, total: 0, incomplete: 0 };
  readonly #limits: SipLimits;
  readonly #clock: Clock;
  readonly #idleTimeoutMs: number;
  readonly #connectTimeoutMs: number;
  readonly #maxPerSource: number;
  readonly #maxConnections: number;
  readonly #incompleteTimeoutMs: number;
  /** Accepted connections per remote address. */
  readonly #perSource = new Map<string, number>();
  readonly #sink: InboundSink;
  readonly #connections = new Map<string, Connection>();
  readonly #byRemote = new Map<string, Connection>();
  readonly #connecting = new Map<string, Promise<Connection>>();
  #server: Server | undefined;
  #local: LocalAddress | undefined;
  #closing: Promise<void> | undefined;
  #nextId = 1;

  constructor(options: TcpTransportOptions = {}) {
    super();
    this.#limits = options.limits ?? defaultSipLimits;
    this.#clock = options.clock ?? systemClock;
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 300_000;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
    this.#maxPerSource = options.maxConnectionsPerSource ?? 64;
    this.#maxConnections = options.maxConnections ?? 10_000;
    this.#incompleteTimeoutMs = options.incompleteTimeoutMs ?? 30_000;
    this.#sink = {
      limits: this.#limits,
      stats: this.stats,
      deliver: (inbound) => this.emit('message', inbound),
      reject: (failure) => this.emit('parseError', failure),
      reply: (bytes, remote) => this.send(bytes, remote),
    };
  }

  get localAddress(): LocalAddress | undefined {
    return this.#local;
  }

  /** Open connections (for tests and metrics). */
  get connectionCount(): number {
    return this.#connections.size;
  }

  /**
   * `shared`: other processes may listen on the same port, where Node has SO_REUSEPORT (`shared-port.ts`);
   * elsewhere a taken port fails as always.
   */
  async listen(options: { host: string; port: number; shared?: boolean }): Promise<LocalAddress> {
    if (this.#closing) throw new SipTransportError('closed', 'transport closed');
    if (this.#server) throw new SipTransportError('not-listening', 'already listening');
    const server = createServer((socket) => this.#accept(socket));
    this.#server = server;
    const reusePort = options.shared === true && reusePortSupported();
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ port: options.port, host: options.host, ...(reusePort ? { reusePort } : {}) }, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      this.#server = undefined;
      throw new SipTransportError('not-listening', `cannot listen on ${options.host}:${options.port}`, {
        cause: error,
      });
    }
    server.on('error', () => {
      this.stats.socketErrors++;
    });
    const bound = server.address();
    if (bound === null || typeof bound === 'string')
      throw new SipTransportError('not-listening', 'no TCP address');
    this.#local = { address: bound.address, port: bound.port };
    return this.#local;
  }

  async send(message: Buffer, remote: RemoteAddress): Promise<void> {
    try {
      if (this.#closing) throw new SipTransportError('closed', 'transport closed');
      const connection = this.#find(remote) ?? (await this.#connect(remote));
      await this.#write(connection, message);
      this.stats.messagesSent++;
      this.stats.bytesSent += message.length;
    } catch (error) {
      this.stats.sendErrors++;
      throw error;
    }
  }

  close(): Promise<void> {
    this.#closing ??= new Promise((resolve) => {
      for (const connection of this.#connections.values()) connection.socket.destroy();
      const server = this.#server;
      if (!server) return resolve();
      server.close(() => resolve());
    });
    return this.#closing;
  }

  /** RFC 3261 §18.2.2: answer on the connection the request came in on; otherwise any connection to the address. */
  #find(remote: RemoteAddress): Connection | undefined {
    const pinned = remote.connectionId === undefined ? undefined : this.#connections.get(remote.connectionId);
    return pinned ?? this.#byRemote.get(remoteKey(remote.address, remote.port));
  }

  #connect(remote: RemoteAddress): Promise<Connection> {
    const key = remoteKey(remote.address, remote.port);
    const pending = this.#connecting.get(key);
    if (pending) return pending;
    const attempt = new Promise<Connection>((resolve, reject) => {
      const socket = connect({ host: remote.address, port: remote.port });
      const timer = this.#clock.setTimeout(() => {
        socket.destroy();
        reject(new SipTransportError('connect-failed', `${key}: no answer in ${this.#connectTimeoutMs} ms`));
      }, this.#connectTimeoutMs);
      socket.once('error', (error) => {
        this.#clock.clearTimeout(timer);
        reject(new SipTransportError('connect-failed', key, { cause: error }));
      });
      socket.once('connect', () => {
        this.#clock.clearTimeout(timer);
        if (this.#closing) {
          socket.destroy();
          reject(new SipTransportError('closed', 'transport closed while connecting'));
          return;
        }
        resolve(this.#adopt(socket));
      });
    });
    this.#connecting.set(key, attempt);
    const forget = () => this.#connecting.delete(key);
    attempt.then(forget, forget);
    return attempt;
  }

  /** A peer connected: over a limit it is closed at once (and counted), else adopted and timed until it speaks. */
  #accept(socket: Socket): void {
    const address = normalizeAddress(socket.remoteAddress ?? '');
    const fromSource = this.#perSource.get(address) ?? 0;
    if (this.#connections.size >= this.#maxConnections || fromSource >= this.#maxPerSource) {
      if (fromSource >= this.#maxPerSource) this.refusals.perSource++;
      else this.refusals.total++;
      socket.on('error', () => {
        this.stats.socketErrors++;
      });
      socket.destroy();
      return;
    }
    const connection = this.#adopt(socket, true);
    if (!this.#connections.has(connection.id)) return;
    this.#perSource.set(address, fromSource + 1);
    this.#expectMessage(connection);
  }

  #adopt(socket: Socket, inbound = false): Connection {
    const address = normalizeAddress(socket.remoteAddress ?? '');
    const port = socket.remotePort ?? 0;
    const id = `tcp-${this.#nextId++}`;
    const connection: Connection = {
      id,
      key: remoteKey(address, port),
      socket,
      framer: new SipStreamFramer({ maxMessageBytes: this.#limits.maxMessageBytes }),
      remote: { transport: 'tcp', address, port, connectionId: id },
      idle: undefined,
      inbound,
      incomplete: undefined,
      sentMessage: false,
    };
    if (this.#closing) {
      socket.destroy();
      return connection;
    }
    this.#connections.set(id, connection);
    this.#byRemote.set(connection.key, connection);
    this.stats.connectionsOpened++;
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.#onData(connection, chunk));
    socket.on('error', () => {
      this.stats.socketErrors++;
    });
    socket.on('close', () => this.#forget(connection));
    this.#touch(connection);
    return connection;
  }

  #onData(connection: Connection, chunk: Buffer): void {
    this.#touch(connection);
    let messages: Buffer[];
    try {
      messages = connection.framer.push(chunk);
    } catch (error) {
      // No way to find the next message boundary: drop the connection (RFC 3261 §18.3 leaves no alternative).
      if (error instanceof SipFramingError) this.stats.framingErrors++;
      connection.socket.destroy();
      return;
    }
    if (connection.inbound) {
      if (messages.length > 0) connection.sentMessage = true;
      if (connection.sentMessage && connection.framer.bufferedBytes === 0) this.#stopExpecting(connection);
      else this.#expectMessage(connection);
    }
    for (const message of messages) receive(message, connection.remote, this.#sink);
  }

  /** Starts the incomplete-message timer unless it runs: more bytes do not push it back. */
  #expectMessage(connection: Connection): void {
    if (connection.incomplete) return;
    connection.incomplete = this.#clock.setTimeout(() => {
      connection.incomplete = undefined;
      this.refusals.incomplete++;
      connection.socket.destroy();
    }, this.#incompleteTimeoutMs);
  }

  #stopExpecting(connection: Connection): void {
    if (!connection.incomplete) return;
    this.#clock.clearTimeout(connection.incomplete);
    connection.incomplete = undefined;
  }

  #write(connection: Connection, message: Buffer): Promise<void> {
    this.#touch(connection);
    return new Promise((resolve, reject) => {
      connection.socket.write(message, (error) => {
        if (error) reject(new SipTransportError('send-failed', connection.key, { cause: error }));
        else resolve();
      });
    });
  }

  #touch(connection: Connection): void {
    if (connection.idle) this.#clock.clearTimeout(connection.idle);
    connection.idle = this.#clock.setTimeout(() => connection.socket.destroy(), this.#idleTimeoutMs);
  }

  #forget(connection: Connection): void {
    if (!this.#connections.delete(connection.id)) return;
    if (this.#byRemote.get(connection.key) === connection) this.#byRemote.delete(connection.key);
    if (connection.idle) this.#clock.clearTimeout(connection.idle);
    this.#stopExpecting(connection);
    if (connection.inbound) {
      const address = connection.remote.address;
      const left = (this.#perSource.get(address) ?? 1) - 1;
      if (left > 0) this.#perSource.set(address, left);
      else this.#perSource.delete(address);
    }
    this.stats.connectionsClosed++;
    this.emit('connectionClosed', { connectionId: connection.id, remote: connection.remote });
  }
}
