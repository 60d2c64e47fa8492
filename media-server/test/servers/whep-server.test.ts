import { createLogger } from '@tessera/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signViewerToken } from '../../src/auth/viewer-token';
import {
  InvalidOfferError,
  SessionNotFoundError,
  StreamNotReadyError,
  ViewerNotFoundError,
} from '../../src/errors';
import { WhepServer } from '../../src/servers/whep/whep-server';
import type { JoinRequest, ViewerBackend } from '../../src/webrtc/viewer-service';

const SECRET = 'whep-unit-secret-0123456789';

/** The HTTP layer alone, with a fake backend: routes, status codes, headers. */
describe('WhepServer (HTTP)', () => {
  const joins: JoinRequest[] = [];
  const backend: ViewerBackend = {
    async join(request) {
      joins.push(request);
      if (request.sessionId === 'missing') throw new SessionNotFoundError(request.sessionId);
      if (request.sessionId === 'warming') throw new StreamNotReadyError(request.sessionId);
      if (request.offer === 'bad') throw new InvalidOfferError('no video');
      if (request.sessionId === 'crash') throw new Error('bug');
      return { viewerId: 'v 1', answer: 'v=0 answer' };
    },
    leave(_sessionId, viewerId) {
      if (viewerId !== 'v 1') throw new ViewerNotFoundError(viewerId);
    },
  };
  let server: WhepServer;
  let base: string;
  const token = (sessionId: string) =>
    signViewerToken({ sessionId, viewer: 'alice', exp: Math.floor(Date.now() / 1000) + 60 }, SECRET);
  const post = (sessionId: string, body = 'v=0 offer', headers: Record<string, string> = {}) =>
    fetch(`${base}/whep/${encodeURIComponent(sessionId)}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/sdp', Authorization: `Bearer ${token(sessionId)}`, ...headers },
      body,
    });

  beforeAll(async () => {
    server = await WhepServer.listen({
      backend,
      tokenSecret: SECRET,
      host: '127.0.0.1',
      port: 0,
      logger: createLogger('whep-test', 'silent'),
    });
    base = `http://127.0.0.1:${server.port}`;
  });

  afterAll(async () => {
    await server.close();
    await server.close();
  });

  it('joins with a Bearer token, answering 201 with the answer and the viewer location; ?token= is not read (401)', async () => {
    const response = await post('cam 1');
    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toBe('/whep/cam%201/v%201');
    expect(response.headers.get('content-type')).toBe('application/sdp');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(await response.text()).toBe('v=0 answer');
    expect(joins.at(-1)).toEqual({ sessionId: 'cam 1', user: 'alice', offer: 'v=0 offer' });
    const viaQuery = await fetch(`${base}/whep/s2?token=${token('s2')}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/sdp; charset=utf-8' },
      body: 'x',
    });
    // A token in the URL would be logged by every proxy on the way: only the Authorization header counts.
    expect(viaQuery.status).toBe(401);
  });

  it('maps failures to status codes', async () => {
    expect((await post('missing')).status).toBe(404);
    const warming = await post('warming');
    expect(warming.status).toBe(503);
    expect(warming.headers.get('retry-after')).toBe('2');
    expect((await post('s', 'bad')).status).toBe(400);
    expect((await post('crash')).status).toBe(500);
    expect((await post('s', 'x', { 'Content-Type': 'text/plain' })).status).toBe(415);
    expect((await post('s', 'x'.repeat(70_000))).status).toBe(413);
    expect(
      (
        await fetch(`${base}/whep/s/v%201`, {
          method: 'PATCH',
          headers: { Authorization: `Bearer ${token('s')}` },
        })
      ).status,
    ).toBe(405);
    expect((await fetch(`${base}/whep/s`, { method: 'GET' })).status).toBe(405);
    expect((await fetch(`${base}/elsewhere`)).status).toBe(404);
    expect((await fetch(`${base}/whep/%E0%A4%A`, { method: 'POST' })).status).toBe(400);
    expect(await (await fetch(`${base}/healthz`)).text()).toBe('ok');
  });

  it('leaves with DELETE and the same token; unknown viewers are 404, other tokens 403', async () => {
    const del = (viewer: string, sessionId = 's') =>
      fetch(`${base}/whep/s/${viewer}`, {
        method: 'DELETE',
        headers: { Authorization: `Bearer ${token(sessionId)}` },
      });
    expect((await del('v%201')).status).toBe(200);
    expect((await del('nobody')).status).toBe(404);
    expect((await del('v%201', 'other')).status).toBe(403);
    expect((await fetch(`${base}/whep/s/v%201`, { method: 'DELETE' })).status).toBe(401);
  });
});
