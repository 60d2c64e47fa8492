import { EventEmitter } from 'node:events';
import type { Clock } from '@tessera/kit';
import { defaultSipLimits } from '../../src/message/limits';
import type { SipMessage } from '../../src/message/message';
import { parseMessage } from '../../src/message/parse';
import { serializeMessage } from '../../src/message/serialize';
import { SipTransportError } from '../../src/errors';
import { type InboundSink, receive } from '../../src/transport/inbound';
import {
  emptyTransportStats,
  type LocalAddress,
  type RemoteAddress,
  type SipTransport,
  type SipTransportEvents,
  type SipTransportKind,
  type SipTransportStats,
} from '../../src/transport/transport';

export interface SentRecord {
  message: SipMessage;
  remote: RemoteAddress;
  /** Clock time of the send (0 without a clock). */
  at: number;
}

/**
 * An in-memory network of fake transports (after SIP.js's transport-fake): what one sends is delivered to the
 * transport bound at the destination on a microtask, through the real receive path (parse, Via stamping, 400s).
 * Every send is also recorded synchronously, so timer tests with a ManualClock can read the wire without waiting.
 */
export class MemoryNetwork {
  readonly #bound = new Map<string, MemoryTransport>();
  readonly clock: Clock | undefined;
  /** Return true to lose a message (UDP loss). */
  drop: (record: SentRecord) => boolean = () => false;

  constructor(options: { clock?: Clock } = {}) {
    this.clock = options.clock;
  }

  transport(options: { address: string; port: number; kind?: SipTransportKind }): MemoryTransport {
    return new MemoryTransport(this, options.kind ?? 'udp', { address: options.address, port: options.port });
  }

  bind(transport: MemoryTransport): void {
    this.#bound.set(
      `${transport.kind}|${transport.localAddress!.address}|${transport.localAddress!.port}`,
      transport,
    );
  }

  unbind(transport: MemoryTransport): void {
    this.#bound.delete(
      `${transport.kind}|${transport.localAddress!.address}|${transport.localAddress!.port}`,
    );
  }

  deliver(from: MemoryTransport, bytes: Buffer, remote: RemoteAddress): void {
    const target = this.#bound.get(`${remote.transport}|${remote.address}|${remote.port}`);
    if (!target) return;
    const local = from.localAddress!;
    queueMicrotask(() =>
      target.inject(bytes, { transport: from.kind, address: local.address, port: local.port }),
    );
  }
}

export class MemoryTransport extends EventEmitter<SipTransportEvents> implements SipTransport {
  readonly stats: SipTransportStats = emptyTransportStats();
  readonly sent: SentRecord[] = [];
  /** Makes sends fail, to exercise transport-error paths. */
  failSends = false;
  readonly #network: MemoryNetwork;
  readonly #local: LocalAddress;
  readonly #sink: InboundSink;
  #listening = false;
  #closed = false;

  constructor(
    network: MemoryNetwork,
    readonly kind: SipTransportKind,
    local: LocalAddress,
  ) {
    super();
    this.#network = network;
    this.#local = local;
    this.#sink = {
      limits: defaultSipLimits,
      stats: this.stats,
      deliver: (inbound) => this.emit('message', inbound),
      reject: (failure) => this.emit('parseError', failure),
      reply: (bytes, remote) => this.send(bytes, remote),
    };
  }

  get localAddress(): LocalAddress | undefined {
    return this.#listening ? this.#local : undefined;
  }

  async listen(): Promise<LocalAddress> {
    this.#listening = true;
    this.#network.bind(this);
    return this.#local;
  }

  async send(bytes: Buffer, remote: RemoteAddress): Promise<void> {
    if (this.#closed || this.failSends) {
      this.stats.sendErrors++;
      throw new SipTransportError(this.#closed ? 'closed' : 'send-failed', 'memory transport');
    }
    const record = { message: parseMessage(bytes), remote, at: this.#network.clock?.now() ?? 0 };
    this.sent.push(record);
    this.stats.messagesSent++;
    this.stats.bytesSent += bytes.length;
    if (!this.#network.drop(record)) this.#network.deliver(this, bytes, remote);
  }

  /** Feeds bytes (or a message) in as if they came from `remote`. */
  inject(input: Buffer | SipMessage, remote: RemoteAddress): void {
    receive(Buffer.isBuffer(input) ? input : serializeMessage(input), remote, this.#sink);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#listening) this.#network.unbind(this);
  }

  /** Sent requests (optionally of one method) in order. */
  requests(method?: string): SentRecord[] {
    return this.sent.filter(
      (r) => r.message.kind === 'request' && (method === undefined || r.message.method === method),
    );
  }

  /** Sent responses (optionally of one status) in order. */
  responses(status?: number): SentRecord[] {
    return this.sent.filter(
      (r) => r.message.kind === 'response' && (status === undefined || r.message.status === status),
    );
  }
}

/** Lets queued microtasks (deliveries, promise continuations) run. */
export async function flush(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}
