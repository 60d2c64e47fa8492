import { ManualClock } from '@tessera/kit';
import { describe, expect, it } from 'vitest';
import { IngestRetry, IngestStoppedError } from '../src/services/ingest-retry';

const refused = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('IngestRetry', () => {
  it('retries a write while the database is unreachable, backing off, until it succeeds', async () => {
    const clock = new ManualClock(0);
    const delays: number[] = [];
    const retry = new IngestRetry({
      clock,
      initialDelayMs: 100,
      maxDelayMs: 300,
      onRetry: (_, __, ms) => delays.push(ms),
    });
    let attempts = 0;
    const written = retry.run(async () => {
      attempts++;
      if (attempts < 5) throw refused();
      return 'written';
    });
    for (const ms of [100, 200, 300, 300]) {
      await settle();
      clock.advance(ms);
    }
    expect(await written).toBe('written');
    expect(delays).toEqual([100, 200, 300, 300]);
  });

  it('does not retry a write that fails for its content', async () => {
    const retry = new IngestRetry({ clock: new ManualClock(0) });
    const violation = Object.assign(new Error('violates check constraint'), { code: '23514' });
    let attempts = 0;
    await expect(
      retry.run(async () => {
        attempts++;
        throw violation;
      }),
    ).rejects.toBe(violation);
    expect(attempts).toBe(1);
  });

  it('a write still waiting when the platform stops gives up with IngestStoppedError', async () => {
    const clock = new ManualClock(0);
    const retry = new IngestRetry({ clock });
    const written = retry.run(async () => {
      throw refused();
    });
    await settle();
    retry.close();
    await expect(written).rejects.toBeInstanceOf(IngestStoppedError);
    expect(clock.pendingTimers()).toBe(0);
  });
});
