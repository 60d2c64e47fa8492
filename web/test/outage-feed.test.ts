import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Result } from '../src/api/errors';
import type { OnlineRate, Outage } from '../src/api/types';
import { OutageFeed, type OutageFeedState, outageHealth, reasonKey } from '../src/outages/outage-feed';

const rate: OnlineRate = { city: { total: 2, online: 1, faulty: 1, onlineRate: 0.5 }, districts: [] };

function outage(health: Outage['health'], reason: string): Outage {
  return {
    channelId: '43010200001320000001',
    deviceId: '43010200001320000001',
    name: '芙蓉路口',
    civilCode: '430102001',
    districtCode: '430102',
    districtName: '芙蓉区',
    address: null,
    longitude: null,
    latitude: null,
    health,
    reason,
    since: '2025-06-01T08:00:00.000Z',
    downSeconds: 60,
    lastSeenAt: null,
    importance: 1,
  } as Outage;
}

describe('outage feed', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('fetches the platform’s list, again after live changes (throttled) and periodically', async () => {
    let fetches = 0;
    const client = {
      outages: async (): Promise<Result<Outage[]>> => {
        fetches += 1;
        return { ok: true, value: [outage('offline', 'keepalive-timeout')] };
      },
      onlineRate: async (): Promise<Result<OnlineRate>> => ({ ok: true, value: rate }),
    };
    const states: OutageFeedState[] = [];
    const feed = new OutageFeed({
      client,
      onState: (s) => states.push(s),
      minIntervalMs: 2000,
      maxIntervalMs: 30_000,
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(fetches).toBe(1);
    expect(states.at(-1)).toMatchObject({ kind: 'ready', rate });
    for (let i = 0; i < 100; i++) feed.changed();
    await vi.advanceTimersByTimeAsync(1999);
    expect(fetches).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fetches).toBe(2);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(fetches).toBe(3);
    feed.close();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fetches).toBe(3);
  });

  it('keeps the last list through a failed refresh, shows the error when there is none', async () => {
    let fail = true;
    const client = {
      outages: async (): Promise<Result<Outage[]>> =>
        fail ? { ok: false, error: { kind: 'network', message: 'down' } } : { ok: true, value: [] },
      onlineRate: async (): Promise<Result<OnlineRate>> => ({ ok: true, value: rate }),
    };
    const states: OutageFeedState[] = [];
    const feed = new OutageFeed({ client, onState: (s) => states.push(s) });
    await vi.advanceTimersByTimeAsync(0);
    expect(states.at(-1)).toEqual({ kind: 'error', error: { kind: 'network', message: 'down' } });
    fail = false;
    feed.changed();
    await vi.advanceTimersByTimeAsync(2000);
    expect(states.at(-1)?.kind).toBe('ready');
    fail = true;
    feed.changed();
    await vi.advanceTimersByTimeAsync(2000);
    expect(states.at(-1)?.kind).toBe('ready');
    feed.close();
  });

  it('names the reasons it knows and shows faults as degraded', () => {
    expect(reasonKey('VLOST')).toBe('reason.VLOST');
    expect(reasonKey('restart-reconcile')).toBe('reason.restart-reconcile');
    expect(reasonKey('something-new')).toBeNull();
    expect(outageHealth(outage('fault', 'DEFECT'))).toBe('degraded');
    expect(outageHealth(outage('no-video', 'VLOST'))).toBe('no-video');
  });
});
