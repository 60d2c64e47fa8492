import { describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../src/api/client';
import { channel, device } from './support';

function respond(status: number, body: unknown): Response {
  return new Response(typeof body === 'string' ? body : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

function clientWith(
  handler: (url: string, init: RequestInit) => Response | Promise<Response>,
  token: string | null = 't0k',
) {
  const onUnauthorized = vi.fn();
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(input), init: init ?? {} });
    return handler(String(input), init ?? {});
  }) as typeof globalThis.fetch;
  return {
    client: new ApiClient({ getToken: () => token, onUnauthorized, fetch, timeoutMs: 200 }),
    onUnauthorized,
    calls,
  };
}

describe('ApiClient', () => {
  it('logs in without a token and decodes the token', async () => {
    const { client, calls } = clientWith(
      () => respond(200, { token: 'abc', expiresAt: '2030-01-01T00:00:00Z' }),
      null,
    );
    const result = await client.login({ username: 'admin', password: 'pw' });
    expect(result).toEqual({ ok: true, value: { token: 'abc', expiresAt: '2030-01-01T00:00:00Z' } });
    expect(calls[0]!.url).toBe('/api/v1/auth/login');
    expect(calls[0]!.init.method).toBe('POST');
    expect(new Headers(calls[0]!.init.headers).get('Authorization')).toBeNull();
    expect(JSON.parse(String(calls[0]!.init.body))).toEqual({ username: 'admin', password: 'pw' });
  });

  it('refuses a login answer without expiresAt, which the platform always sends (TokenResponse)', async () => {
    const { client } = clientWith(() => respond(200, { token: 'abc' }));
    expect(await client.login({ username: 'a', password: 'b' })).toEqual({
      ok: false,
      error: { kind: 'decode', message: expect.stringMatching(/\.expiresAt: expected a string/) },
    });
  });

  it('a wrong password is a failed login, not an expired session', async () => {
    const { client, onUnauthorized } = clientWith(() =>
      respond(401, { statusCode: 401, error: 'unauthorized', message: 'bad credentials' }),
    );
    const result = await client.login({ username: 'a', password: 'b' });
    expect(result).toEqual({ ok: false, error: { kind: 'unauthorized', message: 'bad credentials' } });
    expect(onUnauthorized).not.toHaveBeenCalled();
  });

  it('sends the bearer token and ends the session on 401', async () => {
    const { client, onUnauthorized, calls } = clientWith(() =>
      respond(401, { statusCode: 401, error: 'unauthorized', message: 'expired' }),
    );
    const result = await client.devices();
    expect(result.ok).toBe(false);
    expect(new Headers(calls[0]!.init.headers).get('Authorization')).toBe('Bearer t0k');
    expect(onUnauthorized).toHaveBeenCalledOnce();
  });

  it('a session the platform ended ends it here with its reason, without a request', () => {
    const { client, onUnauthorized, calls } = clientWith(() => respond(200, {}));
    client.sessionEnded('revoked');
    expect(onUnauthorized).toHaveBeenCalledExactlyOnceWith('revoked');
    expect(calls).toHaveLength(0);
  });

  it('does not call the platform without a token', async () => {
    const { client, calls } = clientWith(() => respond(200, []), null);
    expect(await client.me()).toEqual({
      ok: false,
      error: { kind: 'unauthorized', message: 'not logged in' },
    });
    expect(calls).toHaveLength(0);
  });

  it('builds the channel query and decodes channels', async () => {
    const body = [channel('43010200001310000001', '43010200001180000001', 'online')];
    const { client, calls } = clientWith(() => respond(200, body));
    const result = await client.channels({ civilCode: '430102' as never, status: 'offline' });
    expect(calls[0]!.url).toBe('/api/v1/channels?civilCode=430102&status=offline');
    expect(result).toEqual({ ok: true, value: body });
  });

  it('maps error statuses to the error union', async () => {
    const cases: [number, string][] = [
      [400, 'validation'],
      [403, 'forbidden'],
      [404, 'not-found'],
      [500, 'server'],
      [503, 'server'],
    ];
    for (const [status, kind] of cases) {
      const { client } = clientWith(() => respond(status, { statusCode: status, error: 'x', message: 'm' }));
      const result = await client.civilAreas('4301' as never);
      expect(result.ok ? null : result.error.kind).toBe(kind);
    }
  });

  it('a body of the wrong shape is a decode error naming the field', async () => {
    const bad = [{ ...device('43010200001320000001', 'online'), status: 'sleeping' }];
    const { client } = clientWith(() => respond(200, bad));
    const result = await client.devices();
    expect(result).toEqual({
      ok: false,
      error: { kind: 'decode', message: expect.stringContaining('[0].status') },
    });
  });

  it('a body that is not JSON is a decode error', async () => {
    const { client } = clientWith(() => new Response('<html>', { status: 200 }));
    expect((await client.me()).ok ? null : 'failed').toBe('failed');
  });

  it('a refused connection is a network error', async () => {
    const { client } = clientWith(() => {
      throw new TypeError('fetch failed');
    });
    expect(await client.me()).toEqual({ ok: false, error: { kind: 'network', message: 'fetch failed' } });
  });

  it('every request has a deadline', async () => {
    const { client } = clientWith(
      (_url, init) =>
        new Promise<Response>((_resolve, reject) => {
          init.signal?.addEventListener('abort', () => reject(init.signal?.reason));
        }),
    );
    expect(await client.me()).toEqual({ ok: false, error: { kind: 'timeout', timeoutMs: 200 } });
  });

  it('puts the token in the events URL (EventSource sends no headers)', () => {
    const { client } = clientWith(() => respond(200, null));
    expect(client.eventsUrl('a b')).toBe('/api/v1/events?token=a%20b');
  });
});
