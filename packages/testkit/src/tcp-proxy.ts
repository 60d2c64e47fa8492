import { createServer, type Server, type Socket, connect } from 'node:net';

export interface TcpProxyOptions {
  /** Where connections are forwarded, e.g. the real PostgreSQL or Redis of the test machine. */
  targetHost: string;
  targetPort: number;
  /** Port to listen on (127.0.0.1); 0 = any. The same port is kept across `cut`/`restore`. */
  port?: number;
}

/**
 * A TCP forwarder in front of a real server, for fault-injection tests: `cut()` is the server going away
 * (every open connection is reset and new ones are refused, as when PostgreSQL or Redis stops), `restore()` is
 * it coming back on the same address. The server itself is never touched, so other tests sharing it run on.
 */
export class TcpProxy {
  readonly #sockets = new Set<Socket>();
  #server: Server | null = null;
  #port: number;

  private constructor(private readonly options: TcpProxyOptions) {
    this.#port = options.port ?? 0;
  }

  static async start(options: TcpProxyOptions): Promise<TcpProxy> {
    const proxy = new TcpProxy(options);
    await proxy.restore();
    return proxy;
  }

  get port(): number {
    return this.#port;
  }

  /** Connections currently forwarded (each pair counted once). */
  get connections(): number {
    return this.#sockets.size / 2;
  }

  /** Whether the proxy forwards now. */
  get up(): boolean {
    return this.#server !== null;
  }

  /** The server "goes down": stops listening (connections refused) and resets every open connection. */
  async cut(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    for (const socket of this.#sockets) socket.resetAndDestroy();
    this.#sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The server "comes back" on the same port. Idempotent. */
  async restore(): Promise<void> {
    if (this.#server) return;
    const server = createServer((client) => this.#forward(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    if (typeof address === 'object' && address) this.#port = address.port;
    this.#server = server;
  }

  async close(): Promise<void> {
    await this.cut();
  }

  #forward(client: Socket): void {
    const upstream = connect({ host: this.options.targetHost, port: this.options.targetPort });
    for (const socket of [client, upstream]) {
      this.#sockets.add(socket);
      socket.setNoDelay(true);
      // A reset on one side resets the other: the client sees what it would see if the server died.
      socket.on('error', () => {
        (socket === client ? upstream : client).resetAndDestroy();
      });
      socket.on('close', () => {
        this.#sockets.delete(socket);
        (socket === client ? upstream : client).destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
