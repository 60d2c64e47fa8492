import { MemoryBroker, MemoryBus, MemoryKeyValueStore, MemoryLeaseStore } from '@tessera/bus';
import type { Bus, EventPayload } from '@tessera/contracts';
import { createLogger } from '@tessera/kit';
import { type MediaServerConfig } from '../../src/config';
import { MediaServer, type MediaServerOptions } from '../../src/media-server';

export const TEST_SECRET = 'test-viewer-token-secret-0123456789';

/**
 * A port range no one else in this test run is likely to use: random, below Linux's ephemeral range
 * (32768–60999) so that no OS-chosen port (clients, `freePort()`) lands in it; the pool skips taken ports anyway.
 */
export function randomPortRange(size = 40): { min: number; max: number } {
  const min = 20_000 + Math.floor(Math.random() * (12_000 - size));
  return { min, max: min + size - 1 };
}

export function testConfig(overrides: Partial<MediaServerConfig> = {}): MediaServerConfig {
  return {
    host: '127.0.0.1',
    publicHost: '127.0.0.1',
    rtpPorts: randomPortRange(),
    httpPort: 0,
    mediaTimeoutMs: 10_000,
    tokenSecret: TEST_SECRET,
    tokenSecretIsDefault: false,
    singlePort: undefined,
    webrtcPorts: undefined,
    publicUrl: undefined,
    playGraceMs: 30_000,
    streamLeaseTtlMs: 5_000,
    ...overrides,
  };
}

/** An ingest ended (IngestManager `ended`), as the tests observe it in process. */
export interface IngestEndedEvent {
  readonly ingestId: string;
  readonly sessionId: string;
  readonly reason: string;
}

/** An ingest's reader count changed (IngestManager `viewers`). */
export interface ViewersEvent {
  readonly sessionId: string;
  readonly viewers: number;
}

/** Events as they arrive, with a way to wait for the next that matches. */
export class EventLog<E> {
  readonly events: E[] = [];
  readonly #waiters = new Set<{
    match: (e: E) => boolean;
    resolve: (e: E) => void;
  }>();

  push(event: E): void {
    this.events.push(event);
    for (const w of [...this.#waiters]) {
      if (w.match(event)) {
        this.#waiters.delete(w);
        w.resolve(event);
      }
    }
  }

  /** Resolves with the first event (already seen or future) that matches. */
  next(match: (e: E) => boolean, timeoutMs = 15_000): Promise<E> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (e: E) => {
          clearTimeout(timer);
          resolve(e);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`no matching event within ${timeoutMs} ms; saw ${JSON.stringify(this.events)}`));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }
}

export interface TestMediaServer {
  readonly server: MediaServer;
  /** The platform's side of the bus. */
  readonly platform: Bus;
  /** Ingests that ended, from the server's IngestManager (no bus event: the owning stream handles it). */
  readonly ended: EventLog<IngestEndedEvent>;
  /** Reader counts, from the server's IngestManager. */
  readonly viewers: EventLog<ViewersEvent>;
  readonly keyframesWanted: EventLog<EventPayload<'media.keyframe-wanted'>>;
  close(): Promise<void>;
}

/** A media server on an in-memory bus, with the platform's end of the bus to drive it. */
export async function startTestMediaServer(
  config: Partial<MediaServerConfig> = {},
  options: Partial<Omit<MediaServerOptions, 'config' | 'bus' | 'logger'>> & { broker?: MemoryBroker } = {},
): Promise<TestMediaServer> {
  const logger = createLogger('media-test', process.env.TESSERA_TEST_LOG ?? 'silent');
  const { broker = new MemoryBroker(), ...rest } = options;
  const serverBus = new MemoryBus({ broker, logger });
  const platform = new MemoryBus({ broker, logger });
  const server = new MediaServer({
    config: testConfig(config),
    bus: serverBus,
    store: new MemoryKeyValueStore({ broker }),
    leases: new MemoryLeaseStore({ broker }),
    logger,
    ...rest,
  });
  await server.start();
  const ended = new EventLog<IngestEndedEvent>();
  const viewers = new EventLog<ViewersEvent>();
  const keyframesWanted = new EventLog<EventPayload<'media.keyframe-wanted'>>();
  server.ingests.on('ended', (ingest, reason) =>
    ended.push({ ingestId: ingest.id, sessionId: ingest.sessionId, reason }),
  );
  server.ingests.on('viewers', (ingest, count) =>
    viewers.push({ sessionId: ingest.sessionId, viewers: count }),
  );
  await platform.subscribe('media.keyframe-wanted', (e) => keyframesWanted.push(e));
  return {
    server,
    platform,
    ended,
    viewers,
    keyframesWanted,
    async close() {
      await server.close();
      await platform.close();
      await serverBus.close();
    },
  };
}
