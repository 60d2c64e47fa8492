import type { Clock, TimerHandle } from '@tessera/kit';
import type { RemoteAddress } from '../transport/transport';

/** What a completed non-INVITE server transaction still needs: the final response as sent, and where to. */
export interface CompletedResponse {
  readonly bytes: Buffer;
  readonly status: number;
  readonly remote: RemoteAddress;
  /** End of Timer J: from then on a request with this key is a new request. */
  readonly expiresAt: number;
}

/** Responses are copied into slabs of this size: one Buffer object per ~600 responses instead of one each. */
const SLAB_BYTES = 256 * 1024;

/**
 * One span of arrival time. An entry is a Map slot whose value is a row number into parallel number arrays (no
 * object per entry), its bytes sit in a shared slab, and its destination is interned per generation (a device
 * sends from one address): the old generation the collector has to mark holds a key string per entry and little else.
 */
class Generation {
  readonly rows = new Map<string, number>();
  /** Entries are added to the newest generation until this time. */
  readonly openUntil: number;
  /** The latest `expiresAt` in it: the whole generation is dropped then. */
  lastExpiry: number;
  readonly #slab: number[] = [];
  readonly #offset: number[] = [];
  readonly #length: number[] = [];
  readonly #status: number[] = [];
  readonly #expiresAt: number[] = [];
  readonly #remote: number[] = [];
  readonly #slabs: Buffer[] = [];
  #used = SLAB_BYTES;
  readonly #remotes: RemoteAddress[] = [];
  readonly #remoteIds = new Map<string, number>();

  constructor(openUntil: number, lastExpiry: number) {
    this.openUntil = openUntil;
    this.lastExpiry = lastExpiry;
  }

  get size(): number {
    return this.rows.size;
  }

  add(key: string, bytes: Buffer, status: number, remote: RemoteAddress, expiresAt: number): void {
    if (this.#used + bytes.length > SLAB_BYTES) {
      this.#slabs.push(Buffer.allocUnsafeSlow(Math.max(SLAB_BYTES, bytes.length)));
      this.#used = 0;
    }
    const slab = this.#slabs.length - 1;
    bytes.copy(this.#slabs[slab]!, this.#used);
    const row = this.#status.length;
    this.#slab.push(slab);
    this.#offset.push(this.#used);
    this.#length.push(bytes.length);
    this.#status.push(status);
    this.#expiresAt.push(expiresAt);
    this.#remote.push(this.#intern(remote));
    this.#used += bytes.length;
    this.rows.set(key, row);
    if (expiresAt > this.lastExpiry) this.lastExpiry = expiresAt;
  }

  read(row: number): CompletedResponse {
    const offset = this.#offset[row]!;
    return {
      bytes: this.#slabs[this.#slab[row]!]!.subarray(offset, offset + this.#length[row]!),
      status: this.#status[row]!,
      remote: this.#remotes[this.#remote[row]!]!,
      expiresAt: this.#expiresAt[row]!,
    };
  }

  expiresAt(row: number): number {
    return this.#expiresAt[row]!;
  }

  #intern(remote: RemoteAddress): number {
    const id = `${remote.transport}|${remote.address}|${remote.port}|${remote.connectionId ?? ''}`;
    let index = this.#remoteIds.get(id);
    if (index === undefined) {
      index = this.#remotes.length;
      this.#remotes.push({ ...remote });
      this.#remoteIds.set(id, index);
    }
    return index;
  }
}

/**
 * Completed non-INVITE server transactions over UDP, reduced to the one duty RFC 3261 §17.2.2 leaves them during
 * Timer J: "while in the "Completed" state, the server transaction MUST pass the final response to the transport
 * layer for retransmission whenever a retransmission of the request is received".
 *
 * Why not keep the transaction objects: Timer J is 32 s, so at 5,000 keepalives/s some 160,000 completed
 * transactions are alive. As objects (state machine, parsed response whose header strings pin the request's text,
 * per-transaction closures, a Node timer each) every one of them survived the young-generation collections that ran
 * during its 32 s, and the scavenger copied them all: the measured 10–20 ms scavenges were the keepalive tail
 * latency. Here one is a Map slot and a row of numbers, its serialized bytes in a shared slab (off the JS heap).
 *
 * Why generations, not one Map: a Map of 160,000 entries that is added to at the tail and emptied at the head
 * rehashes all of them every ~80,000 insertions — a pause of its own. Entries go into the newest of a few
 * short-lived Maps instead (each spans `linger / 8` of arrival time), and a generation is dropped whole when its last
 * entry has expired: one timer per generation, none per transaction. `get` still checks each entry's own expiry, so
 * what the peer sees is exactly Timer J; a generation only delays freeing memory by at most its span.
 */
export class CompletedResponses {
  readonly #clock: Clock;
  /** Oldest first. */
  readonly #generations: Generation[] = [];
  #sweep: TimerHandle | undefined;
  #sweepAt = Number.POSITIVE_INFINITY;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Remembers a final response sent for `key`; retransmissions get `bytes` until `lingerMs` from now. */
  add(key: string, response: Omit<CompletedResponse, 'expiresAt'>, lingerMs: number): void {
    const now = this.#clock.now();
    const expiresAt = now + lingerMs;
    let newest = this.#generations.at(-1);
    if (!newest || now >= newest.openUntil) {
      newest = new Generation(now + Math.max(1, Math.floor(lingerMs / 8)), expiresAt);
      this.#generations.push(newest);
    }
    newest.add(detached(key), response.bytes, response.status, response.remote, expiresAt);
    this.#schedule();
  }

  /** The response to re-send for a retransmitted request; undefined once Timer J has run out. */
  get(key: string): CompletedResponse | undefined {
    // Newest first: a retransmission comes within seconds (Timer E: T1, 2·T1, … T2).
    for (let i = this.#generations.length - 1; i >= 0; i--) {
      const generation = this.#generations[i]!;
      const row = generation.rows.get(key);
      if (row === undefined) continue;
      return generation.expiresAt(row) > this.#clock.now() ? generation.read(row) : undefined;
    }
    return undefined;
  }

  /** Forgets `key` (its response could not be sent: the transaction is terminated, RFC 3261 §17.2.4). */
  delete(key: string): void {
    for (const generation of this.#generations) generation.rows.delete(key);
  }

  /** Completed transactions held; up to one generation's span of expired ones may still be counted. */
  get size(): number {
    this.#dropExpired();
    let size = 0;
    for (const generation of this.#generations) size += generation.size;
    return size;
  }

  clear(): void {
    this.#generations.length = 0;
    if (this.#sweep !== undefined) this.#clock.clearTimeout(this.#sweep);
    this.#sweep = undefined;
    this.#sweepAt = Number.POSITIVE_INFINITY;
  }

  #dropExpired(): void {
    const now = this.#clock.now();
    let expired = 0;
    while (expired < this.#generations.length && this.#generations[expired]!.lastExpiry <= now) expired++;
    if (expired > 0) this.#generations.splice(0, expired);
  }

  /** One timer, for the oldest generation's end. */
  #schedule(): void {
    const oldest = this.#generations[0];
    if (oldest === undefined || this.#sweepAt <= oldest.lastExpiry) return;
    if (this.#sweep !== undefined) this.#clock.clearTimeout(this.#sweep);
    this.#sweepAt = oldest.lastExpiry;
    this.#sweep = this.#clock.setTimeout(
      () => {
        this.#sweep = undefined;
        this.#sweepAt = Number.POSITIVE_INFINITY;
        this.#dropExpired();
        this.#schedule();
      },
      Math.max(0, oldest.lastExpiry - this.#clock.now()),
    );
  }
}

/**
 * A copy of `key` that shares no memory with the request. The key is built from the top Via's branch, which V8 keeps
 * as a slice of the request's decoded header text: stored as it is for 32 s, it would pin that whole text (~250
 * bytes a keepalive, measured) after the request itself was dropped.
 */
function detached(key: string): string {
  return Buffer.from(key, 'utf8').toString('utf8');
}
