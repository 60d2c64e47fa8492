import { createLogger } from '@tessera/kit';
import { TcpProxy } from '@tessera/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../../src/auth/token';
import { type Database, openDatabase } from '../../src/database/database';
import { channelIdIn, deviceIdIn, now } from '../support/fixtures';
import { TEST_TOKEN_SECRET, TestPlatform, USER_PASSWORD } from '../support/platform';
import { createTestDatabase, type TestDatabase } from '../support/postgres';
import { waitFor } from '../support/wait';
import { SseClient } from '../support/sse';

interface SessionEnded {
  reason: string;
  at: string;
}

const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as { sub: string; sid: string };

/** The `user_session` row a token names (its `sid`). */
const sessionOf = (token: string): string => claimsOf(token).sid;

/**
 * Opens a stream and waits until it is connected; `ended` resolves to its `session.ended` event once the
 * stream has ended after it.
 */
async function openStream(t: TestPlatform, token: string, clients: SseClient[]) {
  const stream = await SseClient.open(`${t.url}/api/v1/events?token=${encodeURIComponent(token)}`);
  clients.push(stream);
  expect(stream.status).toBe(200);
  await stream.until('connected', () => (stream.comments().includes('connected') ? true : undefined));
  const ended = async (timeoutMs = 5_000): Promise<SessionEnded> => {
    const event = await stream.until(
      'session.ended',
      () => stream.event<SessionEnded>('session.ended'),
      timeoutMs,
    );
    await stream.until('the end of the stream', () => (stream.ended ? true : undefined), timeoutMs);
    return event;
  };
  return { stream, ended };
}

async function userId(t: TestPlatform, token: string): Promise<string> {
  const me = await t.get<{ id: string }>('/api/v1/me', token);
  expect(me.status).toBe(200);
  return me.body.id;
}

// The default check interval (15 s) is far beyond these waits (5 s): a revocation made through this replica
// ends its streams at once, without waiting for a periodic check.
describe('an event stream, on the replica that revokes its session', () => {
  let t: TestPlatform;
  let admin: string;
  const clients: SseClient[] = [];

  beforeAll(async () => {
    t = await TestPlatform.start();
    admin = await t.adminToken();
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await t?.close();
  });

  it('ends when its token is logged out', async () => {
    const token = await t.userToken('sse-logout', 'operator', '430102');
    const { ended } = await openStream(t, token, clients);
    expect((await t.request('POST', '/api/v1/auth/logout', { token })).status).toBe(204);
    expect(await ended()).toMatchObject({ reason: 'revoked' });
  });

  it('ends when its user is disabled', async () => {
    const token = await t.userToken('sse-disabled', 'operator', '430102');
    const { ended } = await openStream(t, token, clients);
    const id = await userId(t, token);
    const patch = await t.request('PATCH', `/api/v1/users/${id}`, { token: admin, body: { disabled: true } });
    expect(patch.status).toBe(200);
    expect(await ended()).toMatchObject({ reason: 'revoked' });
  });

  it('ends when its user is deleted', async () => {
    const token = await t.userToken('sse-deleted', 'operator', '430102');
    const { ended } = await openStream(t, token, clients);
    const id = await userId(t, token);
    expect((await t.request('DELETE', `/api/v1/users/${id}`, { token: admin })).status).toBe(204);
    expect(await ended()).toMatchObject({ reason: 'revoked' });
  });

  it('ends when an admin resets its user’s password', async () => {
    const token = await t.userToken('sse-reset', 'operator', '430102');
    const { ended } = await openStream(t, token, clients);
    const id = await userId(t, token);
    const reset = await t.request('POST', `/api/v1/users/${id}/password`, {
      token: admin,
      body: { password: 'reset-password-1' },
    });
    expect(reset.status).toBe(204);
    expect(await ended()).toMatchObject({ reason: 'revoked' });
  });

  it('ends at its token’s exp, between session checks', async () => {
    const issued = claimsOf(await t.userToken('sse-exp', 'operator', '430102'));
    // The same live session, in a token the platform signed to expire in 2 s (the row lives 12 h): only the
    // token's own `exp` can end this stream before the next check, 15 s away.
    const { token } = issueToken(
      { secret: Buffer.from(TEST_TOKEN_SECRET), ttlSec: 60 },
      { userId: issued.sub, sessionId: issued.sid, exp: Math.floor(Date.now() / 1000) + 2 },
      Date.now(),
    );
    const { ended } = await openStream(t, token, clients);
    expect(await ended(8_000)).toMatchObject({ reason: 'expired' });
  });

  it('a password change ends the user’s other streams and keeps the changer’s own', async () => {
    const mine = await t.userToken('sse-changer', 'operator', '430102');
    const elsewhere = await t.login('sse-changer', USER_PASSWORD);
    const own = await openStream(t, mine, clients);
    const other = await openStream(t, elsewhere, clients);
    const change = await t.request('POST', '/api/v1/me/password', {
      token: mine,
      body: { current: USER_PASSWORD, new: 'new-password-1' },
    });
    expect(change.status).toBe(204);
    expect(await other.ended()).toMatchObject({ reason: 'revoked' });
    // The re-check that ended the other stream also ran for this one (same user), and kept it.
    expect(own.stream.ended).toBe(false);
    expect(own.stream.event('session.ended')).toBeUndefined();
  });
});

// Another replica revokes by writing the row; this replica learns it only from the periodic check.
describe('an event stream, when its session row changes elsewhere', () => {
  let t: TestPlatform;
  let database: Database;
  const clients: SseClient[] = [];

  beforeAll(async () => {
    t = await TestPlatform.start({ TESSERA_SSE_SESSION_CHECK_SEC: '1', TESSERA_SSE_HEARTBEAT_MS: '200' });
    database = await openDatabase({
      databaseUrl: t.database!.url,
      pgliteDir: 'memory://',
      logger: createLogger('test'),
    });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await database?.close();
    await t?.close();
  });

  it('ends when another replica revokes its token', async () => {
    const token = await t.userToken('sse-remote-logout', 'operator', '430102');
    const { ended } = await openStream(t, token, clients);
    await sql`update user_session set revoked_at = now() where id = ${sessionOf(token)}`.execute(database.db);
    expect(await ended()).toMatchObject({ reason: 'revoked' });
  });

  it('ends when its token expires', async () => {
    const token = await t.userToken('sse-expiry', 'operator', '430102');
    const { ended } = await openStream(t, token, clients);
    // Time moved on for the session (TESSERA_TOKEN_TTL_SEC is at least 60 s): its row now says it is over.
    await sql`update user_session set expires_at = now() - interval '1 second' where id = ${sessionOf(token)}`.execute(
      database.db,
    );
    expect(await ended()).toMatchObject({ reason: 'expired' });
    expect((await t.get('/api/v1/me', token)).status).toBe(401);
    expect(await t.metricsRegistry.metrics()).toContain(
      'tessera_platform_sse_sessions_ended_total{reason="expired"} 1',
    );
  });

  it('a user moved to another district sees that district’s events on the open stream', async () => {
    const admin = await t.adminToken();
    const token = await t.userToken('sse-moved', 'operator', '430102');
    const furongDevice = deviceIdIn('43010200', 41);
    const yueluDevice = deviceIdIn('43010400', 41);
    const furongCamera = channelIdIn('43010201', 41);
    const yueluCamera = channelIdIn('43010401', 41);
    await t.deviceWithCameras(furongDevice, [{ id: furongCamera, civilCode: '43010201' }]);
    await t.deviceWithCameras(yueluDevice, [{ id: yueluCamera, civilCode: '43010401' }]);
    const { stream } = await openStream(t, token, clients);
    const id = await userId(t, token);
    const moved = await t.request('PATCH', `/api/v1/users/${id}`, {
      token: admin,
      body: { civilCode: '430104' },
    });
    expect(moved.status).toBe(200);
    const toggle = (deviceId: string, camera: string, event: 'ON' | 'OFF') =>
      t.publish('catalog.changed', { deviceId, changes: [{ id: camera, event, item: null }], at: now() });
    // Until the stream's next check (a second), its area is still the old one: toggle the new district's
    // camera until its change comes through.
    let event: 'ON' | 'OFF' = 'OFF';
    const deadline = Date.now() + 5_000;
    for (;;) {
      await toggle(yueluDevice, yueluCamera, event);
      event = event === 'OFF' ? 'ON' : 'OFF';
      const seen = await stream
        .until('the new district’s camera', () => stream.event<{ channelId: string }>('channel.status'), 300)
        .catch(() => undefined);
      if (seen) break;
      if (Date.now() > deadline) throw new Error('the moved user never saw the new district');
    }
    const last = event;
    await toggle(furongDevice, furongCamera, 'OFF');
    await toggle(yueluDevice, yueluCamera, last);
    // Each domain event reaches every open stream in one synchronous dispatch (event.test.ts): once the
    // later change arrived, the old district's was offered and refused.
    await stream.until('the later change', () =>
      stream.event<{ channelId: string; lastEvent: string }>(
        'channel.status',
        (d) => d.channelId === yueluCamera && d.lastEvent === last,
      ),
    );
    const cameras = stream.messages().map((m) => (JSON.parse(m.data) as { channelId: string }).channelId);
    expect(new Set(cameras)).toEqual(new Set([yueluCamera]));
  });

  it('a live session’s stream stays open across its checks', async () => {
    const token = await t.userToken('sse-live', 'operator', '430102');
    const { stream } = await openStream(t, token, clients);
    // 200 ms heartbeats: fifteen of them span at least two checks of the session (one a second).
    await stream.until(
      'fifteen heartbeats',
      () => (stream.comments().filter((c) => c === 'heartbeat').length >= 15 ? true : undefined),
      10_000,
    );
    expect(stream.ended).toBe(false);
    expect(stream.event('session.ended')).toBeUndefined();
  });
});

// PostgreSQL behind a proxy the test cuts: a check nobody can answer neither ends the stream nor is lost.
describe('an event stream, while the database is unreachable', () => {
  let testDb: TestDatabase;
  let proxy: TcpProxy;
  let t: TestPlatform;
  let database: Database;
  const clients: SseClient[] = [];

  beforeAll(async () => {
    testDb = await createTestDatabase();
    const direct = new URL(testDb.url);
    proxy = await TcpProxy.start({ targetHost: direct.hostname, targetPort: Number(direct.port || 5432) });
    const proxied = new URL(testDb.url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    // `embedded` only keeps TestPlatform from making a database of its own: DATABASE_URL wins.
    t = await TestPlatform.start(
      { DATABASE_URL: proxied.toString(), TESSERA_SSE_SESSION_CHECK_SEC: '1' },
      { embedded: true },
    );
    database = await openDatabase({
      databaseUrl: testDb.url,
      pgliteDir: 'memory://',
      logger: createLogger('test'),
    });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await proxy?.restore();
    await t?.close();
    await database?.close();
    await proxy?.close();
    await testDb?.drop();
  });

  it('stays open and counts the failed checks, then ends once a check can see the revocation', async () => {
    const token = await t.userToken('sse-outage', 'operator', '430102');
    const { stream, ended } = await openStream(t, token, clients);
    const failures = async () => {
      const metric = await t.metricsRegistry
        .getSingleMetric('tessera_platform_sse_session_check_failures_total')
        ?.get();
      return metric?.values[0]?.value ?? 0;
    };
    await proxy.cut();
    await waitFor('a failed session check', async () => ((await failures()) >= 1 ? true : undefined));
    expect(stream.ended).toBe(false);
    expect(stream.event('session.ended')).toBeUndefined();
    // Revoked by another replica while this one could not look.
    await sql`update user_session set revoked_at = now() where id = ${sessionOf(token)}`.execute(database.db);
    await proxy.restore();
    expect(await ended(10_000)).toMatchObject({ reason: 'revoked' });
  });
});
