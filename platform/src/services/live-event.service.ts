import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { type AuthContext, coversAnyCivilCode, coversCivilCode } from '../auth/auth-context';
import type { PlatformConfig } from '../config';
import type { DomainEvent, DomainEvents } from '../events/domain-events';
import { PlatformMetrics } from '../metrics/platform-metrics';
import { DOMAIN_EVENTS, PLATFORM_CONFIG } from '../tokens';

/** Where a live stream writes: the controller adapts an HTTP response to this. */
export interface LiveEventSink {
  event(name: string, data: unknown): void;
  comment(text: string): void;
  end(): void;
  onClose(listener: () => void): void;
}

/** What the console receives, named by what changed. */
export type LiveEvent =
  | {
      name: 'device.status';
      data: { deviceId: string; status: 'online' | 'offline'; reason: string | null; at: string };
    }
  | {
      name: 'channel.status';
      data: {
        deviceId: string;
        channelId: string;
        status: 'online' | 'offline';
        lastEvent: string | null;
        at: string;
      };
    }
  | { name: 'catalog.updated'; data: { deviceId: string; upserted: number; removed: number; at: string } }
  | { name: 'stream.ended'; data: { sessionId: string; channelId: string; reason: string; at: string } };

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
          deviceId: event.deviceId,
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
          deviceId: event.deviceId,
          channelId: event.channelId,
          status: event.status,
          lastEvent: event.lastEvent,
          at: event.at,
        },
      };
    case 'LiveSessionEnded':
      if (!coversCivilCode(j, event.civilCode)) return null;
      return {
        name: 'stream.ended',
        data: { sessionId: event.sessionId, channelId: event.channelId, reason: event.reason, at: event.at },
      };
    case 'CatalogUpdated':
      if (!coversAnyCivilCode(j, event.civilCodes)) return null;
      return {
        name: 'catalog.updated',
        data: { deviceId: event.deviceId, upserted: event.upserted, removed: event.removed, at: event.at },
      };
  }
}

/** Fans domain events out to open Server-Sent Events streams, each filtered by its caller's jurisdiction. */
@Injectable()
export class LiveEventService implements OnModuleDestroy {
  readonly #streams = new Set<() => void>();

  constructor(
    @Inject(DOMAIN_EVENTS) private readonly events: DomainEvents,
    @Inject(PlatformMetrics) private readonly metrics: PlatformMetrics,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
  ) {}

  open(auth: AuthContext, sink: LiveEventSink): void {
    const unsubscribe = this.events.on((event) => {
      const live = liveEventFor(auth, event);
      if (live) sink.event(live.name, live.data);
    });
    const heartbeat = setInterval(() => sink.comment('heartbeat'), this.config.sseHeartbeatMs);
    heartbeat.unref();
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      unsubscribe();
      this.#streams.delete(close);
      this.metrics.sseClients.dec();
      sink.end();
    };
    this.#streams.add(close);
    this.metrics.sseClients.inc();
    sink.onClose(close);
    sink.comment('connected');
  }

  /** Ends every open stream so the HTTP server can close. */
  onModuleDestroy(): void {
    for (const close of [...this.#streams]) close();
  }
}
