import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { asChannelId, asDeviceId } from '@tessera/contracts';
import type { LiveEvent } from '@tessera/contracts/api';
import type { Logger } from '@tessera/kit';
import {
  type AuthContext,
  coversAnyCivilCode,
  coversCivilCode,
  type SessionEndReason,
} from '../auth/auth-context';
import type { PlatformConfig } from '../config';
import type { DomainEvent, DomainEvents } from '../events/domain-events';
import { PlatformMetrics } from '../metrics/platform-metrics';
import { DOMAIN_EVENTS, LOGGER, PLATFORM_CONFIG } from '../tokens';
import { AuthService, type SessionRevocation } from './auth.service';

/** Where a live stream writes: the controller adapts an HTTP response to this. */
export interface LiveEventSink {
  event(name: string, data: unknown): void;
  comment(text: string): void;
  end(): void;
  onClose(listener: () => void): void;
}

/** What the console receives, named by what changed (the data of each is a schema of @tessera/contracts/api). */
export type { LiveEvent };

/** The live event for a domain event if the caller's jurisdiction covers it, else null. */
export function liveEventFor(auth: AuthContext, event: DomainEvent): LiveEvent | null {
  const j = auth.jurisdiction;
  switch (event.type) {
    case 'DeviceOnline':
    case 'DeviceOffline':
      if (!coversAnyCivilCode(j, event.civilCodes)) return null;
      return {
        name: 'device.status',
        data: {
          deviceId: asDeviceId(event.deviceId),
          status: event.type === 'DeviceOnline' ? 'online' : 'offline',
          reason: event.type === 'DeviceOffline' ? event.reason : null,
          at: event.at,
        },
      };
    case 'ChannelStatusChanged':
      if (!coversCivilCode(j, event.civilCode)) return null;
      return {
        name: 'channel.status',
        data: {
          deviceId: asDeviceId(event.deviceId),
          channelId: asChannelId(event.channelId),
          status: event.status,
          lastEvent: event.lastEvent,
          at: event.at,
        },
      };
    case 'LiveSessionEnded':
      if (!coversCivilCode(j, event.civilCode)) return null;
      return {
        name: 'stream.ended',
        data: {
          sessionId: event.sessionId,
          channelId: asChannelId(event.channelId),
          reason: event.reason,
          at: event.at,
        },
      };
    case 'CatalogUpdated':
      if (!coversAnyCivilCode(j, event.civilCodes)) return null;
      return {
        name: 'catalog.updated',
        data: {
          deviceId: asDeviceId(event.deviceId),
          upserted: event.upserted,
          removed: event.removed,
          at: event.at,
        },
      };
  }
}

/** One open stream, as the service sees it: whose it is, and how to make it re-check its session now. */
interface OpenStream {
  auth(): AuthContext;
  recheckNow(): void;
  close(): void;
}

const touches = (revocation: SessionRevocation, auth: AuthContext): boolean =>
  'sessionId' in revocation ? revocation.sessionId === auth.sessionId : revocation.userId === auth.userId;

/**
 * Fans domain events out to open Server-Sent Events streams, each filtered by its caller's jurisdiction.
 *
 * A stream outlives the request that authenticated it, so it keeps checking: it re-reads its token's
 * `user_session` row every TESSERA_SSE_SESSION_CHECK_SEC and at the token's `exp`, and at once when this
 * replica revokes a session of its user (AuthService.onRevoked). A revocation stored by another replica is
 * seen at the next periodic check: the row is the one truth every replica reads, where a bus event could be
 * lost (Redis pub/sub delivers at most once) and would need the re-check anyway. An ended session gets a
 * final `session.ended` event, then the stream ends.
 */
@Injectable()
export class LiveEventService implements OnModuleDestroy {
  readonly #streams = new Set<OpenStream>();
  readonly #unsubscribeRevocations: () => void;

  constructor(
    @Inject(DOMAIN_EVENTS) private readonly events: DomainEvents,
    @Inject(PlatformMetrics) private readonly metrics: PlatformMetrics,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    @Inject(AuthService) private readonly authService: AuthService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.#unsubscribeRevocations = authService.onRevoked((revocation) => {
      for (const stream of this.#streams) if (touches(revocation, stream.auth())) stream.recheckNow();
    });
  }

  open(auth: AuthContext, sink: LiveEventSink): void {
    let current = auth;
    const unsubscribe = this.events.on((event) => {
      const live = liveEventFor(current, event);
      if (live) sink.event(live.name, live.data);
    });
    const heartbeat = setInterval(() => sink.comment('heartbeat'), this.config.sseHeartbeatMs);
    heartbeat.unref();
    let closed = false;
    let checkTimer: NodeJS.Timeout | null = null;
    let checking = false;
    let checkAgain = false;

    const scheduleCheck = (): void => {
      const untilExpiry = Math.max(0, current.expiresAtMs - Date.now());
      checkTimer = setTimeout(
        () => void check(),
        Math.min(this.config.sseSessionCheckSec * 1000, untilExpiry),
      );
      checkTimer.unref();
    };
    const check = async (): Promise<void> => {
      if (closed) return;
      if (checking) {
        // A read already under way may predate the revocation that asked for this one.
        checkAgain = true;
        return;
      }
      if (checkTimer) clearTimeout(checkTimer);
      checkTimer = null;
      checking = true;
      try {
        const result = await this.authService.recheck(current);
        if (result.live) current = result.auth;
        else close(result.reason);
      } catch (err) {
        // The database did not answer: the stream stays until a check can decide (its expiry needs none).
        // Counted, and logged at debug: during an outage every open stream fails its check.
        this.metrics.sseSessionCheckFailures.inc();
        this.logger.debug({ err, sessionId: current.sessionId }, 'event stream session check failed');
      } finally {
        checking = false;
      }
      if (closed) return;
      if (checkAgain) {
        checkAgain = false;
        void check();
      } else {
        scheduleCheck();
      }
    };

    const close = (ending?: SessionEndReason): void => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      if (checkTimer) clearTimeout(checkTimer);
      unsubscribe();
      this.#streams.delete(stream);
      this.metrics.sseClients.dec();
      if (ending) {
        this.metrics.sseSessionsEnded.inc({ reason: ending });
        sink.event('session.ended', { reason: ending, at: new Date().toISOString() });
      }
      sink.end();
    };
    const stream: OpenStream = { auth: () => current, recheckNow: () => void check(), close: () => close() };
    this.#streams.add(stream);
    this.metrics.sseClients.inc();
    sink.onClose(() => close());
    sink.comment('connected');
    scheduleCheck();
  }

  /** Ends every open stream so the HTTP server can close. */
  onModuleDestroy(): void {
    this.#unsubscribeRevocations();
    for (const stream of [...this.#streams]) stream.close();
  }
}
