import { EventEmitter } from 'node:events';
import type { LeaseKeeper } from '@tessera/bus';
import {
  type Bus,
  type InviteResult,
  type KeyValueStore,
  type LeaseStore,
  type MediaTransport,
  type StreamInfo,
  type StreamRecord,
  type StreamState,
  streamRecordKey,
} from '@tessera/contracts';
import type { Clock, Logger, TimerHandle } from '@tessera/kit';
import type { Ingest } from '../sessions/ingest';
import type { IngestManager } from '../sessions/ingest-manager';
import { InviteFailedError, StreamEndedError } from './stream-errors';
import { writeFencedStreamRecord } from './stream-record-writer';

/** Deadline of the small bus requests a stream makes (BYE, keyframe). */
const CONTROL_TIMEOUT_MS = 5_000;

export interface StreamTimings {
  /** The last reader left: the upstream stays this long for the next one (TESSERA_PLAY_GRACE_MS). */
  readonly graceMs: number;
  /**
   * A reader was just handed the stream and has yet to connect (the console's player gathers ICE for up to 2 s
   * before its WHEP POST): it is held at least this long, whatever the grace period.
   */
  readonly joinWindowMs: number;
  /** Lease time to live, and how often the owner renews it and rewrites the record (well inside the TTL). */
  readonly leaseTtlMs: number;
  readonly renewEveryMs: number;
}

export interface ChannelStreamOptions {
  readonly streamId: string;
  readonly channelId: string;
  readonly deviceId: string;
  readonly civilCode: string | null;
  readonly transport: MediaTransport;
  readonly realm: string;
  /** This media server's node id: the lease holder, and where node-addressed commands about the stream go. */
  readonly node: string;
  readonly ingests: IngestManager;
  readonly bus: Bus;
  readonly store: KeyValueStore;
  /**
   * The channel's lease (`stream:<channelId>`), held and renewed by the bus's keeper; the stream closes it. Its loss
   * (`onLost`, wired by the registry) must call `leaseLost()`.
   */
  readonly lease: LeaseKeeper;
  /** The store `lease` lives in: record writes are fenced by its holder and epoch (stream-record-writer.ts). */
  readonly leases: LeaseStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly timings: StreamTimings;
  /** The start (INVITE and first keyframe) must be over by then (epoch ms, the requester's deadline). */
  readonly startDeadline: number;
  /** A call found in the record of the previous owner (whose lease expired): hung up before ours is made. */
  readonly leftoverCallId: string | null;
}

export interface ChannelStreamEvents {
  /** Once, when the stream ended (after its legs were asked to end). */
  ended: [reason: string];
}

/**
 * A channel's live stream on the media server that owns it (lease `stream:<channelId>`): its ingest, the
 * gateway's call feeding it (one INVITE, GB/T 28181 §9.2.2), and its readers — WebRTC viewers, egresses to upper
 * platforms — which are the ingest's viewers. It answers the readers' keyframe requests itself (DeviceControl
 * IFameCmd, §9.3), ends the upstream (BYE) a grace period after the last reader left, and ends with the call
 * (device BYE), the media (timeout) or the lease (not renewed = another node may own the channel now).
 *
 * Ownership: ChannelStream → (Ingest, the call, the LeaseKeeper, the store record). `close()` is idempotent.
 */
export class ChannelStream extends EventEmitter<ChannelStreamEvents> {
  readonly streamId: string;
  readonly channelId: string;
  readonly deviceId: string;
  readonly civilCode: string | null;
  readonly transport: MediaTransport;
  readonly startedAt: number;
  /** Settles when the first keyframe arrived; rejects when the start failed (the stream is closed then). */
  readonly ready: Promise<StreamInfo>;
  readonly #o: ChannelStreamOptions;
  readonly #logger: Logger;
  #state: StreamState = 'starting';
  #ingest: Ingest | null = null;
  #callId: string | null = null;
  #stream: StreamInfo | null = null;
  #viewers = 0;
  #graceTimer: TimerHandle | null = null;
  #recordTimer: TimerHandle | null = null;
  #closed: Promise<void> | null = null;
  #endReason: string | null = null;
  /** Record writes in order, so that the delete at the end is the last one. */
  #writes: Promise<void> = Promise.resolve();

  constructor(options: ChannelStreamOptions) {
    super();
    this.#o = options;
    this.streamId = options.streamId;
    this.channelId = options.channelId;
    this.deviceId = options.deviceId;
    this.civilCode = options.civilCode;
    this.transport = options.transport;
    this.startedAt = options.clock.now();
    this.#logger = options.logger;
    this.#scheduleRecord();
    this.ready = this.#start().catch(async (error: unknown) => {
      await this.close(`start failed: ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    });
    // Callers await `ready`; this keeps an early failure from being reported as unhandled meanwhile.
    this.ready.catch(() => undefined);
  }

  get state(): StreamState {
    return this.#state;
  }

  get ingestId(): string | null {
    return this.#ingest?.id ?? null;
  }

  get callId(): string | null {
    return this.#callId;
  }

  get viewers(): number {
    return this.#viewers;
  }

  get closed(): boolean {
    return this.#endReason !== null;
  }

  /**
   * A reader was handed the stream: a pending grace period is replaced by the join window, so the upstream is
   * neither ended under it before it connects nor kept forever when it never does.
   */
  hold(): void {
    if (this.closed) return;
    this.#clearGrace();
    if (this.#viewers === 0) this.#armGrace(Math.max(this.#o.timings.graceMs, this.#o.timings.joinWindowMs));
  }

  /** `gateway.call-ended` for our call: the device hung up (or went offline); nothing to BYE. */
  callEnded(reason: string): void {
    void this.close(`call ${reason}`, { bye: false });
  }

  /** The lease is not ours any more (taken, or not renewed before its expiry): another node may own the channel. */
  leaseLost(reason: string): void {
    this.#logger.warn({ reason }, 'stream lease lost: another node may own the channel now');
    void this.close('lease lost', { ownsLease: false });
  }

  /** A reader lost the picture (RTCP PLI/FIR, throttled by the viewer service): ask the camera for a keyframe. */
  keyframeWanted(): void {
    if (this.#state !== 'live') return;
    this.#o.bus
      .request(
        'gateway.keyframe',
        { deviceId: this.deviceId, channelId: this.channelId },
        { timeoutMs: CONTROL_TIMEOUT_MS },
      )
      .catch((error: unknown) => this.#logger.warn({ err: error }, 'keyframe request to the camera failed'));
  }

  record(): StreamRecord {
    return {
      streamId: this.streamId,
      node: this.#o.node,
      channelId: this.channelId,
      deviceId: this.deviceId,
      civilCode: this.civilCode,
      transport: this.transport,
      state: this.#state,
      viewers: this.#viewers,
      codec: this.#stream?.codec ?? null,
      startedAt: new Date(this.startedAt).toISOString(),
      callId: this.#callId,
      leaseExpiresAt: this.#o.lease.lease.expiresAt,
    };
  }

  /**
   * Ends the stream (idempotent): readers, the call (BYE unless the device ended it), the ingest, the record and
   * the lease, then `ended`. A lost lease is not released (it is not ours) and its record is the new owner's.
   */
  close(reason: string, legs: { bye?: boolean; ownsLease?: boolean } = {}): Promise<void> {
    // Checked and set before any work: closing the ingest below emits its `close`, which calls this again.
    if (this.#endReason !== null) return this.#closed ?? Promise.resolve();
    this.#state = 'ending';
    this.#endReason = reason;
    this.#closed = this.#close(reason, legs);
    return this.#closed;
  }

  async #close(reason: string, legs: { bye?: boolean; ownsLease?: boolean }): Promise<void> {
    this.#clearGrace();
    if (this.#recordTimer) this.#o.clock.clearTimeout(this.#recordTimer);
    this.#recordTimer = null;
    this.#logger.info({ reason, ms: this.#o.clock.now() - this.startedAt }, 'stream ended');
    this.#ingest?.close('closed');
    const work: Promise<unknown>[] = [];
    if (legs.bye !== false && this.#callId) {
      work.push(
        this.#o.bus.request('gateway.bye', { callId: this.#callId }, { timeoutMs: CONTROL_TIMEOUT_MS }),
      );
    }
    // A lost lease is another node's now, and so is the record under it: neither is touched (the keeper releases
    // nothing once lost). Ours: the record goes first, so that whoever takes the lease next finds no leftover call.
    const owns = legs.ownsLease !== false && this.#o.lease.held;
    const record = owns
      ? this.#writes.then(() => this.#o.store.delete(streamRecordKey(this.channelId)))
      : Promise.resolve();
    work.push(record.finally(() => this.#o.lease.close()));
    for (const result of await Promise.allSettled(work)) {
      if (result.status === 'rejected')
        this.#logger.warn({ err: result.reason }, 'stream teardown step failed');
    }
    this.emit('ended', reason);
  }

  async #start(): Promise<StreamInfo> {
    const o = this.#o;
    const left = () => Math.max(1, o.startDeadline - o.clock.now());
    if (o.leftoverCallId) {
      // The previous owner died holding a call: the camera would keep sending to a dead media server.
      await o.bus
        .request('gateway.bye', { callId: o.leftoverCallId }, { timeoutMs: CONTROL_TIMEOUT_MS })
        .then(() => this.#logger.info({ callId: o.leftoverCallId }, "ended the previous owner's call"))
        .catch((error: unknown) =>
          this.#logger.warn(
            { err: error, callId: o.leftoverCallId },
            "ending the previous owner's call failed",
          ),
        );
    }
    await this.#saveRecord();
    const opened = await o.ingests.open({
      sessionId: this.streamId,
      channelId: this.channelId,
      transport: this.transport,
      realm: o.realm,
    });
    const ingest = o.ingests.get(opened.ingestId);
    this.#ingest = ingest;
    if (this.closed) throw new StreamEndedError(this.streamId, this.#endReason ?? 'closed');
    ingest.on('viewers', (count) => this.#viewersChanged(count));
    ingest.once('close', (why) => void this.close(`media ${why}`));
    const answer: InviteResult = await o.bus.request(
      'gateway.invite',
      {
        sessionId: this.streamId,
        deviceId: this.deviceId,
        channelId: this.channelId,
        sessionName: 'Play',
        mediaHost: opened.host,
        mediaPort: opened.port,
        transport: this.transport,
        ssrc: opened.ssrc,
        startTime: null,
        endTime: null,
        // Past our deadline the gateway CANCELs the INVITE (RFC 3261 §9.1): no camera streams to nobody.
        answerTimeoutMs: Math.max(1, left() - 500),
      },
      { timeoutMs: left() },
    );
    if (!answer.ok) throw new InviteFailedError(this.deviceId, answer);
    this.#callId = answer.callId;
    if (this.closed) {
      // Ended while the INVITE was out (stop, lost lease): the call it made must not outlive it.
      await o.bus.request('gateway.bye', { callId: answer.callId }, { timeoutMs: CONTROL_TIMEOUT_MS });
      throw new StreamEndedError(this.streamId, this.#endReason ?? 'closed');
    }
    await this.#saveRecord();
    if (this.transport === 'tcp-active' && (answer.deviceHost === null || answer.devicePort === null)) {
      throw new InviteFailedError(this.deviceId, {
        ok: false,
        cause: 'refused',
        inviteSent: true,
        status: 488,
        reason: 'device answered without a media address to connect to (tcp-active)',
      });
    }
    o.ingests.connect(
      ingest.id,
      { host: answer.deviceHost ?? '', port: answer.devicePort ?? 0 },
      answer.ssrc,
    );
    const stream = await ingest.awaitKeyframe(left());
    this.#stream = stream;
    this.#state = 'live';
    this.#logger.info({ ms: o.clock.now() - this.startedAt, stream }, 'stream live');
    await this.#saveRecord();
    return stream;
  }

  #viewersChanged(count: number): void {
    this.#viewers = count;
    if (count > 0) this.#clearGrace();
    else this.#armGrace(this.#o.timings.graceMs);
    void this.#saveRecord();
  }

  #armGrace(ms: number): void {
    if (this.closed || this.#graceTimer) return;
    this.#graceTimer = this.#o.clock.setTimeout(() => {
      this.#graceTimer = null;
      if (this.#viewers === 0) void this.close('no viewers');
    }, ms);
  }

  #clearGrace(): void {
    if (this.#graceTimer) this.#o.clock.clearTimeout(this.#graceTimer);
    this.#graceTimer = null;
  }

  /** Rewrites the record as often as the lease is renewed, so that its `leaseExpiresAt` follows the lease. */
  #scheduleRecord(): void {
    this.#recordTimer = this.#o.clock.setTimeout(() => {
      this.#recordTimer = null;
      if (this.closed) return;
      void this.#saveRecord().then(() => {
        if (!this.closed) this.#scheduleRecord();
      });
    }, this.#o.timings.renewEveryMs);
  }

  /**
   * Writes the record (after the writes before it). It outlives the lease (6 × TTL) so that a node taking the
   * channel over after a crash still finds the dead owner's call to hang up.
   */
  #saveRecord(): Promise<void> {
    const ttlSec = Math.ceil((this.#o.timings.leaseTtlMs * 6) / 1000);
    this.#writes = this.#writes.then(async () => {
      if (this.closed) return;
      try {
        const written = await writeFencedStreamRecord(
          this.#o.store,
          this.#o.leases,
          this.#o.lease.lease,
          this.record(),
          ttlSec,
        );
        // Not ours any more: the keeper reports the loss at its next renewal and the stream ends then.
        if (!written)
          this.#logger.warn('stream record not written: the lease is held by another node or epoch');
      } catch (error) {
        this.#logger.warn({ err: error }, 'writing the stream record failed');
      }
    });
    return this.#writes;
  }
}
