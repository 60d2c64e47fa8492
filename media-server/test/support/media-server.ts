import { MemoryBroker, MemoryBus, MemoryKeyValueStore, MemoryLeaseStore } from '@tessera/bus';
import type { Bus, EventPayload, EventTopic } from '@tessera/contracts';
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

/** Events of one topic as they arrive, with a way to wait for the next that matches. */
export class EventLog<T extends EventTopic> {
  readonly events: EventPayload<T>[] = [];
  readonly #waiters = new Set<{
    match: (e: EventPayload<T>) => boolean;
    resolve: (e: EventPayload<T>) => void;
  }>();

  push(event: EventPayload<T>): void {
    this.events.push(event);
    for (const w of [...this.#waiters]) {
      if (w.match(event)) {
        this.#waiters.delete(w);
        w.resolve(event);
      }
    }
  }

  /** Resolves with the first event (already seen or future) that matches. */
  next(match: (e: EventPayload<T>) => boolean, timeoutMs = 15_000): Promise<EventPayload<T>> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (e: EventPayload<T>) => {
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
  readonly ended: EventLog<'media.ingest-ended'>;
  readonly viewers: EventLog<'media.viewers'>;
  readonly keyframesWanted: EventLog<'media.keyframe-wanted'>;
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
  const ended = new EventLog<'media.ingest-ended'>();
  const viewers = new EventLog<'media.viewers'>();
  const keyframesWanted = new EventLog<'media.keyframe-wanted'>();
  await platform.subscribe('media.ingest-ended', (e) => ended.push(e));
  await platform.subscribe('media.viewers', (e) => viewers.push(e));
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
