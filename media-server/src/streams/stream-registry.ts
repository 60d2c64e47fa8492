import { randomUUID } from 'node:crypto';
import { LeaseKeeper } from '@tessera/bus';
import {
  type Bus,
  type KeyValueStore,
  type LeaseStore,
  StreamRecord,
  type Unsubscribe,
  type ViewerAnswer,
  type ViewerRequest,
  streamLeaseKey,
  streamRecordKey,
} from '@tessera/contracts';
import { type Clock, type Logger, TesseraError, type TimerHandle } from '@tessera/kit';
import type { IngestManager } from '../sessions/ingest-manager';
import { ChannelStream, type StreamTimings } from './channel-stream';
import { StreamEndedError, StreamOwnerUnavailableError } from './stream-errors';

export interface StreamRegistryOptions {
  /** This media server's node id (lease holder, node-addressed commands). */
  readonly node: string;
  /** The public WHEP base URL readers are sent to (TESSERA_MEDIA_PUBLIC_URL); known once the HTTP server listens. */
  readonly whepBase: () => string;
  readonly ingests: IngestManager;
  readonly bus: Bus;
  readonly store: KeyValueStore;
  readonly leases: LeaseStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly timings: StreamTimings;
}

type Claim = { kind: 'ours'; stream: ChannelStream } | { kind: 'held'; holder: string };

/**
 * The streams this media server owns, and the one way in: `media.viewer` ("a reader for channel X"). Whoever takes
 * the request checks the channel's lease: ours → the reader joins our stream; another live holder → the request is
 * forwarded to that node (node-addressed); free or expired → we take the lease and start the stream. So however
 * many viewers, relays and media servers, a channel has one upstream (one INVITE at the camera).
 *
 * Ownership: StreamRegistry → ChannelStream…; `close()` (idempotent) ends them all.
 */
export class StreamRegistry {
  readonly #o: StreamRegistryOptions;
  readonly #byChannel = new Map<string, ChannelStream>();
  readonly #byId = new Map<string, ChannelStream>();
  /** Lease claims in progress, by channel: concurrent requests on this node wait for the same one. */
  readonly #claiming = new Map<string, Promise<Claim>>();
  readonly #publishing = new Set<Promise<void>>();
  #unsubscribe: Unsubscribe[] = [];
  #closing: Promise<void> | null = null;

  constructor(options: StreamRegistryOptions) {
    this.#o = options;
  }

  get node(): string {
    return this.#o.node;
  }

  streams(): ChannelStream[] {
    return [...this.#byId.values()];
  }

  byId(streamId: string): ChannelStream | undefined {
    return this.#byId.get(streamId);
  }

  byChannel(channelId: string): ChannelStream | undefined {
    return this.#byChannel.get(channelId);
  }

  /** Serves `media.viewer` on the shared queue and on this node's, `media.stream-stop` on this node's. */
  async start(): Promise<void> {
    const { bus, node } = this.#o;
    this.#unsubscribe = [
      await bus.handle('media.viewer', (request) => this.viewer(request)),
      await bus.handle('media.viewer', (request) => this.viewer(request), { node }),
      await bus.handle(
        'media.stream-stop',
        async ({ streamId, reason }) => {
          await this.#byId.get(streamId)?.close(reason);
          return { ok: true as const };
        },
        { node },
      ),
      await bus.subscribe('gateway.call-ended', ({ sessionId, callId, reason }) => {
        const stream = this.#byId.get(sessionId);
        if (stream && stream.callId === callId) stream.callEnded(reason);
      }),
      // Published by our own viewer service (a reader's PLI/FIR), or by anyone: the owner asks the camera.
      await bus.subscribe('media.keyframe-wanted', ({ sessionId }) =>
        this.#byId.get(sessionId)?.keyframeWanted(),
      ),
    ];
  }

  /** A reader for a channel: joins, forwards to the owner, or starts the stream (see the class comment). */
  async viewer(request: ViewerRequest): Promise<ViewerAnswer> {
    if (this.#closing) throw new StreamOwnerUnavailableError(request.channelId, 'media server is closing');
    const { clock } = this.#o;
    const deadline = clock.now() + request.timeoutMs;
    for (;;) {
      const local = this.#byChannel.get(request.channelId);
      if (local) {
        if (!local.closed) return this.#join(local, true);
        // Ending: its lease is released at the end of close(); a new stream must not start before that.
        await local.close('ending');
        continue;
      }
      let claim = this.#claiming.get(request.channelId);
      const first = claim === undefined;
      if (!claim) {
        claim = this.#claim(request, deadline).finally(() => this.#claiming.delete(request.channelId));
        this.#claiming.set(request.channelId, claim);
      }
      const result = await claim;
      if (result.kind === 'ours') return this.#join(result.stream, !first);
      if (request.forwardedBy !== undefined) {
        // The node that forwarded this believed we held the lease; it changed hands since. Its caller retries.
        throw new StreamOwnerUnavailableError(
          request.channelId,
          `channel ${request.channelId} is owned by ${result.holder}, not by this media server`,
        );
      }
      let answer: ViewerAnswer | null;
      try {
        answer = await this.#forward(request, result.holder, deadline);
      } catch (error) {
        // The holder lost the lease while the request was on its way: ask again, the lease decides anew.
        if (!(error instanceof TesseraError && error.code === 'stream_owner_unavailable')) throw error;
        answer = null;
        // A holder that is closing keeps its leases until its streams ended: not a busy loop meanwhile.
        await new Promise<void>((resolve) => clock.setTimeout(resolve, this.#o.timings.renewEveryMs / 3));
      }
      if (answer) return answer;
      // The holder's lease lapsed while we waited for it (it died): try to take the channel over.
      if (clock.now() >= deadline) {
        throw new StreamOwnerUnavailableError(
          request.channelId,
          `the owner of channel ${request.channelId} (${result.holder}) did not answer`,
        );
      }
    }
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      for (const unsubscribe of this.#unsubscribe.splice(0)) await unsubscribe();
      await Promise.allSettled([...this.#claiming.values()]);
      await Promise.allSettled(this.streams().map((s) => s.close('media server stopping')));
      await Promise.allSettled([...this.#publishing]);
    })();
    return this.#closing;
  }

  async #join(stream: ChannelStream, shared: boolean): Promise<ViewerAnswer> {
    const info = await stream.ready;
    if (stream.closed) throw new StreamEndedError(stream.streamId, 'ended before the reader joined');
    stream.hold();
    return {
      streamId: stream.streamId,
      node: this.#o.node,
      whepBase: this.#o.whepBase(),
      ingestId: stream.ingestId ?? '',
      stream: info,
      shared,
    };
  }

  /** Takes the channel's lease and starts its stream, or names the live holder. */
  async #claim(request: ViewerRequest, deadline: number): Promise<Claim> {
    const { leases, node, timings, clock } = this.#o;
    const key = streamLeaseKey(request.channelId);
    // The bus's keeper renews the lease; its loss ends the stream (wired once the stream exists, below).
    let lost: (reason: string) => void = () => undefined;
    const acquire = () =>
      LeaseKeeper.acquire({
        store: leases,
        key,
        holder: node,
        ttlMs: timings.leaseTtlMs,
        renewEveryMs: timings.renewEveryMs,
        clock,
        logger: this.#o.logger,
        onLost: (_, reason) => lost(reason),
      });
    let lease = await acquire();
    while (!lease) {
      const holder = await leases.holder(key);
      if (holder && holder.holder !== node) return { kind: 'held', holder: holder.holder };
      // Released (or expired) between the two reads: try again.
      if (clock.now() >= deadline) {
        throw new StreamOwnerUnavailableError(
          request.channelId,
          `the lease of ${request.channelId} is contended`,
        );
      }
      lease = await acquire();
    }
    if (this.#closing) {
      await lease.close();
      throw new StreamOwnerUnavailableError(request.channelId, 'media server is closing');
    }
    const leftover = await this.#leftoverCall(request.channelId);
    const streamId = randomUUID();
    const stream = new ChannelStream({
      streamId,
      channelId: request.channelId,
      deviceId: request.deviceId,
      civilCode: request.civilCode,
      transport: request.transport,
      realm: request.realm,
      node,
      ingests: this.#o.ingests,
      bus: this.#o.bus,
      store: this.#o.store,
      lease,
      leases,
      clock,
      logger: this.#o.logger.child({ streamId, channelId: request.channelId }),
      timings,
      startDeadline: deadline,
      leftoverCallId: leftover,
    });
    lost = (reason) => stream.leaseLost(reason);
    this.#byChannel.set(request.channelId, stream);
    this.#byId.set(streamId, stream);
    stream.once('ended', (reason) => {
      if (this.#byChannel.get(stream.channelId) === stream) this.#byChannel.delete(stream.channelId);
      this.#byId.delete(stream.streamId);
      this.#publish({
        streamId: stream.streamId,
        channelId: stream.channelId,
        node,
        civilCode: stream.civilCode,
        reason,
        at: new Date(this.#o.clock.now()).toISOString(),
      });
    });
    return { kind: 'ours', stream };
  }

  /**
   * The call of a previous owner whose lease expired (kill -9, lost network): its record is still in the store.
   * Not ours to keep: the camera would go on sending to a media server that is gone.
   */
  async #leftoverCall(channelId: string): Promise<string | null> {
    try {
      const text = await this.#o.store.get(streamRecordKey(channelId));
      if (!text) return null;
      const record = StreamRecord.safeParse(JSON.parse(text));
      return record.success ? record.data.callId : null;
    } catch (error) {
      this.#o.logger.warn({ err: error, channelId }, 'reading the previous stream record failed');
      return null;
    }
  }

  /**
   * Asks the holder, for as long as it holds the lease: a holder that died stops renewing, its lease lapses, and
   * the request comes back here (null) to take the channel over instead of waiting out the whole deadline.
   */
  async #forward(request: ViewerRequest, holder: string, deadline: number): Promise<ViewerAnswer | null> {
    const { bus, clock, leases, node, timings } = this.#o;
    const key = streamLeaseKey(request.channelId);
    const left = Math.max(1, deadline - clock.now());
    const asked = bus.request(
      'media.viewer',
      { ...request, timeoutMs: left, forwardedBy: node },
      { node: holder, timeoutMs: left },
    );
    let watching = true;
    let timer: TimerHandle | undefined;
    const lapsed = new Promise<null>((resolve) => {
      const check = async () => {
        const now = await leases.holder(key).catch(() => undefined);
        if (!watching) return;
        if (now === null || (now !== undefined && now.holder !== holder)) {
          resolve(null);
          return;
        }
        timer = clock.setTimeout(() => void check(), timings.renewEveryMs);
      };
      timer = clock.setTimeout(() => void check(), timings.renewEveryMs);
    });
    try {
      const answer = await Promise.race([asked, lapsed]);
      // Abandoned: a late answer (or the timeout of a request to a dead node) is of no interest any more.
      if (answer === null) asked.catch(() => undefined);
      return answer;
    } finally {
      watching = false;
      if (timer) clock.clearTimeout(timer);
    }
  }

  #publish(payload: {
    streamId: string;
    channelId: string;
    node: string;
    civilCode: string | null;
    reason: string;
    at: string;
  }): void {
    const pending = this.#o.bus
      .publish('media.stream-ended', payload)
      .catch((error: unknown) => this.#o.logger.error({ err: error }, 'publishing media.stream-ended failed'))
      .finally(() => this.#publishing.delete(pending));
    this.#publishing.add(pending);
  }
}
