import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import {
  type Bus,
  type KeyValueStore,
  STREAM_RECORD_PREFIX,
  StreamRecord,
  type StreamPurpose,
  streamRecordKey,
  type Unsubscribe,
  type ViewerAnswer,
} from '@tessera/contracts';
import { type Logger, signViewerToken, TesseraError, TimeoutError } from '@tessera/kit';
import { requireRole } from '../access';
import { type AuthContext, coversCivilCode } from '../auth/auth-context';
import type { PlatformConfig } from '../config';
import type { LiveSessionView, PlayResponse } from '@tessera/contracts/api';
import { ConflictError, ForbiddenError, NotFoundError, UpstreamError, UpstreamTimeoutError } from '../errors';
import type { DomainEvents } from '../events/domain-events';
import { PlatformMetrics } from '../metrics/platform-metrics';
import { ChannelRepository } from '../repositories/channel.repository';
import { BUS, DOMAIN_EVENTS, KV_STORE, LOGGER, MEDIA_TOKEN_SECRET, PLATFORM_CONFIG } from '../tokens';

/** Deadline of `media.stream-stop` (the owner hangs up and closes its ingest). */
const STOP_TIMEOUT_MS = 5_000;

/** How often a stop waiting on its owner re-reads the record to see whether the owner's lease lapsed. */
const LAPSE_CHECK_MS = 250;

/** Codes of `media.viewer` failures (media-server/src/streams/stream-errors.ts) that mean "no answer in time". */
const TIMEOUT_CODES = new Set(['timeout', 'media_timeout', 'invite_no_answer']);

/** A live stream a media server owns, as `acquire` answers it (cascade relays open their egress at `node`). */
export interface AcquiredStream {
  readonly sessionId: string;
  readonly node: string;
  readonly ingestId: string;
  readonly stream: ViewerAnswer['stream'];
}

/**
 * Live play (GB/T 28181 §9.2), the platform's part: checks jurisdiction, asks the media servers once for a reader of
 * the channel (`media.viewer`) and signs the viewer's token. The stream itself — its ingest, the INVITE, the first
 * keyframe, keyframe requests, the grace period and the BYE — belongs to the media server holding the channel's
 * lease (media-server/src/streams/channel-stream.ts); its record in the key/value store is what any replica lists
 * and stops, so live sessions survive this replica's restart. `media.stream-ended` tells the console.
 */
@Injectable()
export class PlayService implements OnModuleInit, OnModuleDestroy {
  readonly #unsubscribe: Unsubscribe[] = [];

  constructor(
    @Inject(ChannelRepository) private readonly channels: ChannelRepository,
    @Inject(BUS) private readonly bus: Bus,
    @Inject(KV_STORE) private readonly store: KeyValueStore,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(PlatformMetrics) private readonly metrics: PlatformMetrics,
    @Inject(MEDIA_TOKEN_SECRET) private readonly tokenSecret: string,
    @Inject(DOMAIN_EVENTS) private readonly events: DomainEvents,
  ) {}

  async onModuleInit(): Promise<void> {
    this.#unsubscribe.push(
      // Every replica tells its own console clients (a private group each): WebRTC alone would take an ICE
      // consent timeout to notice.
      await this.bus.subscribe('media.stream-ended', (ended) => {
        this.logger.info(
          { sessionId: ended.streamId, channelId: ended.channelId, node: ended.node, why: ended.reason },
          'live session ended',
        );
        this.events.emit({
          type: 'LiveSessionEnded',
          sessionId: ended.streamId,
          channelId: ended.channelId,
          civilCode: ended.civilCode,
          reason: ended.reason,
          at: ended.at,
        });
      }),
    );
  }

  async onModuleDestroy(): Promise<void> {
    // The streams are the media servers': a platform replica stopping leaves them to the viewers watching.
    for (const unsubscribe of this.#unsubscribe.splice(0)) await unsubscribe();
  }

  async play(auth: AuthContext, channelId: string): Promise<PlayResponse> {
    const channel = await this.channels.get(channelId);
    if (!channel) throw new NotFoundError('channel', channelId);
    if (!coversCivilCode(auth.jurisdiction, channel.civil_code)) {
      throw new ForbiddenError(`channel ${channelId} is outside ${auth.username}'s jurisdiction`);
    }
    const answer = await this.#viewer(channel, 'view');
    const exp = Math.floor(Date.now() / 1000) + this.config.viewerTokenTtlSec;
    const token = signViewerToken(
      { sessionId: answer.streamId, viewer: auth.username, exp },
      this.tokenSecret,
    );
    return {
      sessionId: answer.streamId,
      // The owner's own public URL (TESSERA_MEDIA_PUBLIC_URL); the token goes in the Authorization header only.
      whepUrl: `${answer.whepBase.replace(/\/+$/, '')}/whep/${encodeURIComponent(answer.streamId)}`,
      token,
      codec: answer.stream.codec,
      deliveredCodec: 'h264',
      width: answer.stream.width,
      height: answer.stream.height,
      expiresAt: new Date(exp * 1000).toISOString(),
      shared: answer.shared,
    };
  }

  /**
   * The live stream of a channel for a relay to an upper platform (cascade): started or joined like a viewer's.
   * The relay's egress (opened at `node`) counts as a reader once the owner has it; until then the owner holds the
   * stream for its join window.
   */
  async acquire(channelId: string): Promise<AcquiredStream> {
    const channel = await this.channels.get(channelId);
    if (!channel) throw new NotFoundError('channel', channelId);
    const answer = await this.#viewer(channel, 'relay');
    if (!answer.ingestId) throw new UpstreamError(`live stream of ${channelId} has no ingest`);
    return {
      sessionId: answer.streamId,
      node: answer.node,
      ingestId: answer.ingestId,
      stream: answer.stream,
    };
  }

  /** The live sessions of channels within the caller's jurisdiction; others are not shown (not even counted). */
  async list(auth: AuthContext): Promise<LiveSessionView[]> {
    requireRole(auth, 'admin', 'operator');
    const records = await this.#records();
    this.metrics.playSessions.set(records.length);
    return records
      .filter((r) => coversCivilCode(auth.jurisdiction, r.civilCode))
      .map((r) => ({
        sessionId: r.streamId,
        channelId: r.channelId,
        deviceId: r.deviceId,
        state: r.state,
        transport: r.transport,
        codec: r.codec,
        viewers: r.viewers,
        startedAt: r.startedAt,
      }));
  }

  /**
   * Stops a live session. The record's `leaseExpiresAt` is the owner's lease as the owner last renewed it (rewritten
   * at every renewal, media-server/src/streams/channel-stream.ts): a record past it is a dead owner's leftover,
   * removed here and answered as stopped; a live owner is asked on its node, and should it die meanwhile, the stop
   * is answered as soon as its lease lapses instead of at the request's deadline.
   */
  async stop(auth: AuthContext, sessionId: string): Promise<void> {
    requireRole(auth, 'admin', 'operator');
    const record = (await this.#records({ lapsed: true })).find((r) => r.streamId === sessionId);
    if (!record) throw new NotFoundError('session', sessionId);
    // Ending a session cuts every viewer of that camera: only someone whose jurisdiction covers the camera may.
    if (!coversCivilCode(auth.jurisdiction, record.civilCode)) {
      throw new ForbiddenError(`session ${sessionId} is outside ${auth.username}'s jurisdiction`);
    }
    if (record.leaseExpiresAt <= Date.now()) {
      await this.#removeStale(record);
      return;
    }
    let watching = true;
    const asked = this.bus.request(
      'media.stream-stop',
      { streamId: sessionId, reason: `stopped by ${auth.username}` },
      { node: record.node, timeoutMs: STOP_TIMEOUT_MS },
    );
    const lapsed = (async (): Promise<{ ok: true }> => {
      for (;;) {
        const current = await this.#record(record.channelId);
        if (!watching) return { ok: true };
        // Gone or replaced: the owner ended it (or a new owner took the channel over); either way it is stopped.
        if (!current || current.streamId !== sessionId) return { ok: true };
        const left = current.leaseExpiresAt - Date.now();
        if (left <= 0) {
          await this.#removeStale(current);
          return { ok: true };
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(left, LAPSE_CHECK_MS)));
        if (!watching) return { ok: true };
      }
    })();
    try {
      await this.#ask('stop the stream', () => Promise.race([asked, lapsed]));
    } finally {
      watching = false;
      // Abandoned: the timeout of a request to a dead node is of no interest any more.
      asked.catch(() => undefined);
    }
  }

  /** Deletes a dead owner's record, unless a new owner wrote its own in the meantime. */
  async #removeStale(stale: StreamRecord): Promise<void> {
    const current = await this.#record(stale.channelId);
    if (current && current.streamId === stale.streamId && current.leaseExpiresAt <= Date.now()) {
      await this.store.delete(streamRecordKey(stale.channelId));
      this.logger.info(
        { streamId: stale.streamId, node: stale.node },
        "removed a dead owner's stream record",
      );
    }
  }

  async #record(channelId: string): Promise<StreamRecord | null> {
    return this.#parse(streamRecordKey(channelId), await this.store.get(streamRecordKey(channelId)));
  }

  async #viewer(
    channel: { channel_id: string; device_id: string; civil_code: string | null; status: string },
    purpose: StreamPurpose,
  ): Promise<ViewerAnswer> {
    if (channel.status !== 'online') {
      this.metrics.playRequests.inc({ result: 'offline' });
      throw new ConflictError(`channel ${channel.channel_id} is offline`);
    }
    const timeoutMs = this.config.playTimeoutMs;
    const answer = await this.#ask('start the stream', () =>
      this.bus.request(
        'media.viewer',
        {
          channelId: channel.channel_id,
          deviceId: channel.device_id,
          civilCode: channel.civil_code,
          transport: this.config.mediaTransport,
          realm: this.config.sipId.substring(0, 10),
          purpose,
          timeoutMs,
        },
        // The owner's start is bounded by `timeoutMs`; the extra second carries its answer back.
        { timeoutMs: timeoutMs + 1_000 },
      ),
    );
    this.metrics.playRequests.inc({ result: answer.shared ? 'joined' : 'started' });
    return answer;
  }

  /**
   * Stream records of live owners: a record past its lease is a dead owner's leftover (its successor, or a stop,
   * removes it), not listed; `lapsed` includes those.
   */
  async #records(options: { lapsed?: boolean } = {}): Promise<StreamRecord[]> {
    const keys = await this.store.keys(STREAM_RECORD_PREFIX);
    const now = Date.now();
    const records: StreamRecord[] = [];
    for (const key of keys) {
      const record = this.#parse(key, await this.store.get(key));
      if (record && (options.lapsed || record.leaseExpiresAt > now)) records.push(record);
    }
    return records.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }

  #parse(key: string, text: string | null): StreamRecord | null {
    if (!text) return null;
    let parsed: ReturnType<typeof StreamRecord.safeParse>;
    try {
      parsed = StreamRecord.safeParse(JSON.parse(text));
    } catch {
      parsed = StreamRecord.safeParse(null);
    }
    if (!parsed.success) {
      this.logger.warn({ key }, 'unreadable stream record skipped');
      return null;
    }
    return parsed.data;
  }

  /**
   * Runs one request to the media plane. The owner's failures keep their meaning: a device the gateway does not
   * have registered was never asked (409, like an offline channel: stored status and the gateway's presence
   * disagree until the presence reconcile catches up); a deadline is 504; anything else 502.
   */
  async #ask<T>(step: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof TesseraError && error.code === 'device_not_registered') {
        this.metrics.playRequests.inc({ result: 'offline' });
        throw new ConflictError(error.message);
      }
      if (error instanceof TesseraError && error.code === 'invite_refused') {
        this.metrics.playRequests.inc({ result: 'rejected' });
        throw new UpstreamError(error.message, { cause: error });
      }
      if (error instanceof TimeoutError || (error instanceof TesseraError && TIMEOUT_CODES.has(error.code))) {
        this.metrics.playRequests.inc({ result: 'timeout' });
        throw new UpstreamTimeoutError(`play: ${step} did not finish in time (${error.message})`, {
          cause: error,
        });
      }
      this.metrics.playRequests.inc({ result: 'failed' });
      const reason = error instanceof TesseraError ? `${error.code}: ${error.message}` : String(error);
      throw new UpstreamError(`play: ${step} failed (${reason})`, { cause: error });
    }
  }
}
