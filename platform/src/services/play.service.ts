import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Bus, InviteResult, StreamInfo, Unsubscribe } from '@tessera/contracts';
import { type Logger, signViewerToken, TesseraError, TimeoutError } from '@tessera/kit';
import { requireRole } from '../access';
import { type AuthContext, coversCivilCode } from '../auth/auth-context';
import type { PlatformConfig } from '../config';
import type { LiveSessionView, PlayResponse } from '../dtos/play.dto';
import { ConflictError, ForbiddenError, NotFoundError, UpstreamError, UpstreamTimeoutError } from '../errors';
import { PlatformMetrics } from '../metrics/platform-metrics';
import { ChannelRepository } from '../repositories/channel.repository';
import type { DomainEvents } from '../events/domain-events';
import { BUS, DOMAIN_EVENTS, LOGGER, MEDIA_TOKEN_SECRET, PLATFORM_CONFIG } from '../tokens';
import type { LiveSession } from './live-session';

/** Error codes, local or from another service over the bus, that mean "no answer in time" (→ 504). */
const TIMEOUT_CODES = new Set(['timeout', 'media_timeout']);

/** Deadline for the small bus requests around a play (open/connect/close ingest, BYE). */
const CONTROL_TIMEOUT_MS = 5_000;

/**
 * The least time a play answer holds a session nobody watches yet. The viewer handed the WHEP URL still has to
 * gather its ICE candidates (the console's player is non-trickle and waits up to 2 s) and POST; a grace period
 * shorter than that (TESSERA_PLAY_GRACE_MS may be 0; the end-to-end tests use 1 s) ended the session under the
 * viewer it had just been given to, whose WHEP POST then found no session (404).
 */
const VIEWER_JOIN_WINDOW_MS = 15_000;

/**
 * Live play orchestration (GB/T 28181 §9.2): open an ingest on the media server, INVITE the channel through the
 * gateway, wait for the first keyframe, hand the browser a WHEP URL with a short-lived viewer token. One upstream
 * per channel: later viewers join the live session without a second INVITE. The last viewer leaving starts a grace
 * period, then BYE. A device BYE or a media timeout ends the session for everyone.
 *
 * Sessions live in this process (a platform replica owns the sessions it started); their media and SIP legs are
 * in the media server and the gateway, reached over the bus.
 */
@Injectable()
export class PlayService implements OnModuleInit, OnModuleDestroy {
  readonly #byId = new Map<string, LiveSession>();
  readonly #byChannel = new Map<string, LiveSession>();
  readonly #unsubscribe: Unsubscribe[] = [];

  constructor(
    @Inject(ChannelRepository) private readonly channels: ChannelRepository,
    @Inject(BUS) private readonly bus: Bus,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(PlatformMetrics) private readonly metrics: PlatformMetrics,
    @Inject(MEDIA_TOKEN_SECRET) private readonly tokenSecret: string,
    @Inject(DOMAIN_EVENTS) private readonly events: DomainEvents,
  ) {}

  async onModuleInit(): Promise<void> {
    this.#unsubscribe.push(
      await this.bus.subscribe('media.viewers', ({ sessionId, viewers }) =>
        this.#viewersChanged(sessionId, viewers),
      ),
      await this.bus.subscribe('media.ingest-ended', ({ ingestId, reason }) => {
        const session = [...this.#byId.values()].find((s) => s.ingestId === ingestId);
        if (session) this.#end(session, `media ${reason}`, { closeIngest: false });
      }),
      // A viewer lost the picture: ask the camera for a keyframe instead of waiting for its next one.
      await this.bus.subscribe('media.keyframe-wanted', ({ sessionId }) => {
        const session = this.#byId.get(sessionId);
        if (!session || session.state !== 'live') return;
        this.bus
          .request(
            'gateway.keyframe',
            { deviceId: session.deviceId, channelId: session.channelId },
            { timeoutMs: CONTROL_TIMEOUT_MS },
          )
          .catch((error: unknown) =>
            this.logger.warn({ err: error, sessionId }, 'keyframe request to the camera failed'),
          );
      }),
      await this.bus.subscribe('gateway.call-ended', ({ callId, reason }) => {
        const session = [...this.#byId.values()].find((s) => s.callId === callId);
        if (session) this.#end(session, `call ${reason}`, { bye: false });
      }),
    );
  }

  async onModuleDestroy(): Promise<void> {
    for (const unsubscribe of this.#unsubscribe.splice(0)) await unsubscribe();
    await Promise.all([...this.#byId.values()].map((s) => this.#end(s, 'platform stopping')));
  }

  async play(auth: AuthContext, channelId: string, requestHost: string | undefined): Promise<PlayResponse> {
    const channel = await this.channels.get(channelId);
    if (!channel) throw new NotFoundError('channel', channelId);
    if (!coversCivilCode(auth.jurisdiction, channel.civil_code)) {
      throw new ForbiddenError(`channel ${channelId} is outside ${auth.username}'s jurisdiction`);
    }
    if (channel.status !== 'online') {
      this.metrics.playRequests.inc({ result: 'offline' });
      throw new ConflictError(`channel ${channelId} is offline`);
    }
    let session = this.#byChannel.get(channelId);
    const shared = session !== undefined;
    if (!session) {
      session = this.#start(channelId, channel.device_id, channel.civil_code);
    }
    if (session.graceTimer) {
      clearTimeout(session.graceTimer);
      session.graceTimer = null;
    }
    const stream = await session.ready;
    this.metrics.playRequests.inc({ result: shared ? 'joined' : 'started' });
    const exp = Math.floor(Date.now() / 1000) + this.config.viewerTokenTtlSec;
    const token = signViewerToken(
      { sessionId: session.sessionId, viewer: auth.username, exp },
      this.tokenSecret,
    );
    // A session nobody connects to must not stay up: its hold starts now and a viewer joining stops it.
    if (session.viewers === 0) this.#holdForJoin(session);
    const base = this.config.mediaPublicUrl ?? `http://${hostOnly(requestHost) ?? '127.0.0.1'}:8081`;
    return {
      sessionId: session.sessionId,
      whepUrl: `${base.replace(/\/+$/, '')}/whep/${session.sessionId}?token=${encodeURIComponent(token)}`,
      token,
      codec: stream.codec,
      deliveredCodec: 'h264',
      width: stream.width,
      height: stream.height,
      expiresAt: new Date(exp * 1000).toISOString(),
      shared,
    };
  }

  /**
   * The live upstream of a channel for a relay to an upper platform (cascade): starts it or joins the one
   * running, waits for its first keyframe. The caller's egress counts as a viewer once the media server has it;
   * until then the grace period guards against a relay that never opens.
   */
  async acquire(channelId: string): Promise<{ sessionId: string; ingestId: string; stream: StreamInfo }> {
    const channel = await this.channels.get(channelId);
    if (!channel) throw new NotFoundError('channel', channelId);
    if (channel.status !== 'online') {
      this.metrics.playRequests.inc({ result: 'offline' });
      throw new ConflictError(`channel ${channelId} is offline`);
    }
    let session = this.#byChannel.get(channelId);
    const shared = session !== undefined;
    if (!session) session = this.#start(channelId, channel.device_id, channel.civil_code);
    if (session.graceTimer) {
      clearTimeout(session.graceTimer);
      session.graceTimer = null;
    }
    const stream = await session.ready;
    if (!session.ingestId) throw new UpstreamError(`live session of ${channelId} has no ingest`);
    this.metrics.playRequests.inc({ result: shared ? 'joined' : 'started' });
    if (session.viewers === 0) this.#holdForJoin(session);
    return { sessionId: session.sessionId, ingestId: session.ingestId, stream };
  }

  /** The live sessions of channels within the caller's jurisdiction; others are not shown (not even counted). */
  list(auth: AuthContext): LiveSessionView[] {
    requireRole(auth, 'admin', 'operator');
    const visible = [...this.#byId.values()].filter((s) => coversCivilCode(auth.jurisdiction, s.civilCode));
    return visible.map((s) => ({
      sessionId: s.sessionId,
      channelId: s.channelId,
      deviceId: s.deviceId,
      state: s.state,
      transport: s.transport,
      codec: s.stream?.codec ?? null,
      viewers: s.viewers,
      startedAt: new Date(s.startedAt).toISOString(),
    }));
  }

  async stop(auth: AuthContext, sessionId: string): Promise<void> {
    requireRole(auth, 'admin', 'operator');
    const session = this.#byId.get(sessionId);
    if (!session) throw new NotFoundError('session', sessionId);
    // Ending a session cuts every viewer of that camera: only someone whose jurisdiction covers the camera may.
    if (!coversCivilCode(auth.jurisdiction, session.civilCode)) {
      throw new ForbiddenError(`session ${sessionId} is outside ${auth.username}'s jurisdiction`);
    }
    await this.#end(session, `stopped by ${auth.username}`);
  }

  #start(channelId: string, deviceId: string, civilCode: string | null): LiveSession {
    const session: LiveSession = {
      sessionId: randomUUID(),
      channelId,
      deviceId,
      civilCode,
      transport: this.config.mediaTransport,
      state: 'starting',
      ingestId: null,
      callId: null,
      stream: null,
      viewers: 0,
      startedAt: Date.now(),
      liveAt: null,
      ready: Promise.resolve({ codec: 'h264', width: null, height: null }),
      graceTimer: null,
    };
    this.#byId.set(session.sessionId, session);
    this.#byChannel.set(channelId, session);
    this.metrics.playSessions.set(this.#byId.size);
    session.ready = this.#open(session).catch(async (error: unknown) => {
      await this.#end(session, 'start failed');
      throw error;
    });
    // Callers await `ready`; this guard keeps an early failure from being reported as unhandled meanwhile.
    session.ready.catch(() => undefined);
    return session;
  }

  async #open(session: LiveSession): Promise<StreamInfo> {
    const deadline = session.startedAt + this.config.playTimeoutMs;
    const left = () => Math.max(1, deadline - Date.now());
    const realm = this.config.sipId.substring(0, 10);
    const ingest = await this.#ask('open the ingest', () =>
      this.bus.request(
        'media.open-ingest',
        { sessionId: session.sessionId, channelId: session.channelId, transport: session.transport, realm },
        { timeoutMs: CONTROL_TIMEOUT_MS },
      ),
    );
    session.ingestId = ingest.ingestId;
    const answer = await this.#ask('INVITE', () =>
      this.bus.request(
        'gateway.invite',
        {
          sessionId: session.sessionId,
          deviceId: session.deviceId,
          channelId: session.channelId,
          sessionName: 'Play',
          mediaHost: ingest.host,
          mediaPort: ingest.port,
          transport: session.transport,
          ssrc: ingest.ssrc,
          startTime: null,
          endTime: null,
        },
        { timeoutMs: left() },
      ),
    );
    if (!answer.ok) throw this.#inviteFailed(session.deviceId, answer);
    session.callId = answer.callId;
    if (session.transport === 'tcp-active' && (answer.deviceHost === null || answer.devicePort === null)) {
      throw new UpstreamError('device answered without a media address to connect to (tcp-active)');
    }
    await this.#ask('connect the ingest', () =>
      this.bus.request(
        'media.connect-ingest',
        {
          ingestId: ingest.ingestId,
          host: answer.deviceHost ?? '',
          port: answer.devicePort ?? 0,
          ssrc: answer.ssrc,
        },
        { timeoutMs: CONTROL_TIMEOUT_MS },
      ),
    );
    const stream = await this.#ask('wait for the first keyframe', () =>
      this.bus.request(
        'media.await-keyframe',
        { ingestId: ingest.ingestId, timeoutMs: left() },
        { timeoutMs: left() + 1_000 },
      ),
    );
    session.stream = stream;
    session.state = 'live';
    session.liveAt = Date.now();
    this.logger.info(
      {
        sessionId: session.sessionId,
        channelId: session.channelId,
        ms: session.liveAt - session.startedAt,
        stream,
      },
      'live session started',
    );
    return stream;
  }

  /**
   * The gateway's account of a failed INVITE, told as it is: only a `refused` one is the device's answer. A device
   * the gateway does not have registered was never asked (409, like an offline channel: stored status and the
   * gateway's presence disagree until the presence reconcile catches up).
   */
  #inviteFailed(deviceId: string, answer: Extract<InviteResult, { ok: false }>): TesseraError {
    switch (answer.cause) {
      case 'refused':
        this.metrics.playRequests.inc({ result: 'rejected' });
        return new UpstreamError(
          `device ${deviceId} answered the INVITE with ${answer.status} ${answer.reason}`,
        );
      case 'not-registered':
        this.metrics.playRequests.inc({ result: 'offline' });
        return new ConflictError(`device ${deviceId} is not registered with the gateway; no INVITE was sent`);
      case 'no-answer':
        this.metrics.playRequests.inc({ result: 'timeout' });
        return new UpstreamTimeoutError(`device ${deviceId} did not answer the INVITE in time`);
      case 'unreachable':
        this.metrics.playRequests.inc({ result: 'failed' });
        return new UpstreamError(
          `the gateway could not send the INVITE to device ${deviceId} (${answer.reason})`,
        );
      case 'gateway-closing':
        this.metrics.playRequests.inc({ result: 'failed' });
        return new UpstreamError('the gateway is shutting down; try again');
    }
  }

  /** Runs one step; a deadline becomes 504, any other failure 502, both naming the step. */
  async #ask<T>(step: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof UpstreamError) throw error;
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

  #viewersChanged(sessionId: string, viewers: number): void {
    const session = this.#byId.get(sessionId);
    if (!session) return;
    session.viewers = viewers;
    if (viewers > 0 && session.graceTimer) {
      clearTimeout(session.graceTimer);
      session.graceTimer = null;
    } else if (viewers === 0) {
      this.#armGrace(session);
    }
  }

  #armGrace(session: LiveSession, ms = this.config.playGraceMs): void {
    if (session.graceTimer || session.state === 'ending') return;
    session.graceTimer = setTimeout(() => {
      session.graceTimer = null;
      if (session.viewers === 0) void this.#end(session, 'no viewers');
    }, ms);
    session.graceTimer.unref();
  }

  /**
   * A viewer (or a relay) was just handed this session: it is held for the grace period, and never less than the
   * join window, whatever grace a viewer leaving may have armed meanwhile. The viewer's arrival stops it.
   */
  #holdForJoin(session: LiveSession): void {
    if (session.graceTimer) clearTimeout(session.graceTimer);
    session.graceTimer = null;
    this.#armGrace(session, Math.max(this.config.playGraceMs, VIEWER_JOIN_WINDOW_MS));
  }

  async #end(
    session: LiveSession,
    why: string,
    legs: { bye?: boolean; closeIngest?: boolean } = {},
  ): Promise<void> {
    if (session.state === 'ending' && !this.#byId.has(session.sessionId)) return;
    session.state = 'ending';
    if (session.graceTimer) clearTimeout(session.graceTimer);
    session.graceTimer = null;
    this.#byId.delete(session.sessionId);
    if (this.#byChannel.get(session.channelId) === session) this.#byChannel.delete(session.channelId);
    this.metrics.playSessions.set(this.#byId.size);
    this.logger.info(
      { sessionId: session.sessionId, channelId: session.channelId, why },
      'live session ended',
    );
    // Viewers learn it from the console's event stream at once (WebRTC alone would take an ICE consent timeout).
    this.events.emit({
      type: 'LiveSessionEnded',
      sessionId: session.sessionId,
      channelId: session.channelId,
      civilCode: session.civilCode,
      reason: why,
      at: new Date().toISOString(),
    });
    const work: Promise<unknown>[] = [];
    if (legs.bye !== false && session.callId) {
      work.push(
        this.bus.request('gateway.bye', { callId: session.callId }, { timeoutMs: CONTROL_TIMEOUT_MS }),
      );
    }
    if (legs.closeIngest !== false && session.ingestId) {
      work.push(
        this.bus.request(
          'media.close-ingest',
          { ingestId: session.ingestId, reason: why },
          { timeoutMs: CONTROL_TIMEOUT_MS },
        ),
      );
    }
    for (const result of await Promise.allSettled(work)) {
      if (result.status === 'rejected') {
        this.logger.warn({ err: result.reason, sessionId: session.sessionId }, 'teardown step failed');
      }
    }
  }
}

function hostOnly(hostHeader: string | undefined): string | undefined {
  if (!hostHeader) return undefined;
  if (hostHeader.startsWith('[')) return hostHeader.slice(0, hostHeader.indexOf(']') + 1);
  return hostHeader.split(':')[0];
}
