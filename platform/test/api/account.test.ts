import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, TestPlatform, USER_PASSWORD } from '../support/platform';

interface User {
  id: string;
  username: string;
  role: string;
  civilCode: string;
  disabled: boolean;
}

interface Failure {
  message: string;
  error: string;
}

describe('accounts and tokens', () => {
  let t: TestPlatform;
  let admin: string;
  let furongAdmin: string;
  const ids = new Map<string, string>();

  /** Creates a user as the city admin and remembers its id. */
  const createUser = async (username: string, role: string, civilCode: string): Promise<string> => {
    const r = await t.request<User>('POST', '/api/v1/users', {
      token: admin,
      body: { username, password: USER_PASSWORD, role, civilCode },
    });
    expect(r.status).toBe(201);
    ids.set(username, r.body.id);
    return r.body.id;
  };
  const patch = (id: string, body: unknown, token = admin) =>
    t.request<User & Failure>('PATCH', `/api/v1/users/${id}`, { token, body });
  const me = (token: string) => t.get<User>('/api/v1/me', token);

  beforeAll(async () => {
    t = await TestPlatform.start();
    admin = await t.adminToken();
    furongAdmin = await t.userToken('furong-admin', 'admin', '430102');
    for (const [name, area] of [
      ['furong-op', '430102001'],
      ['yuelu-op', '430104'],
      ['to-disable', '430102'],
      ['to-delete', '430102'],
      ['to-reset', '430102'],
      ['self-changer', '430103'],
      ['logger-out', '430103'],
    ] as const) {
      await createUser(name, 'operator', area);
    }
    ids.set('admin', (await me(admin)).body.id);
    ids.set('furong-admin', (await me(furongAdmin)).body.id);
  });
  afterAll(() => t?.close());

  describe('POST /api/v1/auth/logout', () => {
    it('requires authentication', async () => {
      expect((await t.request('POST', '/api/v1/auth/logout')).status).toBe(401);
    });

    it('revokes the token it is sent with, and only that one', async () => {
      const first = await t.login('logger-out', USER_PASSWORD);
      const second = await t.login('logger-out', USER_PASSWORD);
      expect((await t.request('POST', '/api/v1/auth/logout', { token: first })).status).toBe(204);
      const after = await t.get<Failure>('/api/v1/me', first);
      expect(after.status).toBe(401);
      expect(after.body.message).toBe('the token was revoked or its user is disabled or gone');
      expect((await me(second)).status).toBe(200);
    });

    it('issues tokens that live at most the configured lifetime (12 h)', async () => {
      const r = await t.request<{ token: string; expiresAt: string }>('POST', '/api/v1/auth/login', {
        body: { username: 'admin', password: ADMIN_PASSWORD },
      });
      expect(Date.parse(r.body.expiresAt) - Date.now()).toBeLessThanOrEqual(12 * 3600_000);
      const payload = JSON.parse(Buffer.from(r.body.token.split('.')[0]!, 'base64url').toString()) as {
        iat: number;
        exp: number;
        sid: string;
      };
      expect(payload.exp - payload.iat).toBe(43_200);
      expect(payload.sid).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('PATCH /api/v1/users/{id}', () => {
    it('requires authentication', async () => {
      expect((await t.request('PATCH', `/api/v1/users/${ids.get('furong-op')}`, { body: {} })).status).toBe(
        401,
      );
    });

    it('a district admin cannot reach another district’s users', async () => {
      const outside = await patch(ids.get('yuelu-op')!, { role: 'viewer' }, furongAdmin);
      expect(outside.status).toBe(403);
      expect(outside.body.message).toBe("user yuelu-op is outside furong-admin's jurisdiction");
      const upward = await patch(ids.get('admin')!, { disabled: true }, furongAdmin);
      expect(upward.status).toBe(403);
      const moveOut = await patch(ids.get('furong-op')!, { civilCode: '430104' }, furongAdmin);
      expect(moveOut.status).toBe(403);
      const inside = await patch(
        ids.get('furong-op')!,
        { role: 'viewer', civilCode: '430102002' },
        furongAdmin,
      );
      expect(inside.status).toBe(200);
      expect(inside.body).toMatchObject({ role: 'viewer', civilCode: '430102002', disabled: false });
    });

    it('is for admins only, and not on oneself', async () => {
      const operator = await t.login('yuelu-op', USER_PASSWORD);
      expect((await patch(ids.get('furong-op')!, { role: 'admin' }, operator)).status).toBe(403);
      const self = await patch(ids.get('furong-admin')!, { civilCode: '4301' }, furongAdmin);
      expect(self.status).toBe(403);
    });

    it('disabling a user revokes their tokens and refuses their login; enabling lets them back', async () => {
      const token = await t.login('to-disable', USER_PASSWORD);
      const disabled = await patch(ids.get('to-disable')!, { disabled: true }, furongAdmin);
      expect(disabled.status).toBe(200);
      expect(disabled.body.disabled).toBe(true);
      expect((await me(token)).status).toBe(401);
      const login = await t.request<Failure>('POST', '/api/v1/auth/login', {
        body: { username: 'to-disable', password: USER_PASSWORD },
      });
      expect(login.status).toBe(401);
      expect(login.body.message).toBe('invalid username or password');
      expect((await patch(ids.get('to-disable')!, { disabled: false }, furongAdmin)).body.disabled).toBe(
        false,
      );
      expect(await t.login('to-disable', USER_PASSWORD)).toMatch(/\./);
    });

    it('answers 400 for an empty change, an unknown field or a bad id, 404 for an unknown user', async () => {
      const empty = await patch(ids.get('furong-op')!, {});
      expect(empty.status).toBe(400);
      expect(empty.body.message).toBe(
        'invalid user change: nothing to change: send role, civilCode or disabled',
      );
      expect((await patch(ids.get('furong-op')!, { password: 'new-password' })).status).toBe(400);
      const badId = await patch('not-a-uuid', { role: 'viewer' });
      expect(badId.status).toBe(400);
      expect(badId.body.message).toBe('invalid user id: must be a UUID');
      expect((await patch('00000000-0000-4000-8000-000000000000', { role: 'viewer' })).status).toBe(404);
    });
  });

  describe('DELETE /api/v1/users/{id}', () => {
    const remove = (id: string, token = admin) =>
      t.request<Failure>('DELETE', `/api/v1/users/${id}`, { token });

    it('requires authentication', async () => {
      expect((await t.request('DELETE', `/api/v1/users/${ids.get('to-delete')}`)).status).toBe(401);
    });

    it('a district admin cannot reach another district’s users', async () => {
      expect((await remove(ids.get('yuelu-op')!, furongAdmin)).status).toBe(403);
    });

    it('deletes a user: their tokens stop working at once', async () => {
      const token = await t.login('to-delete', USER_PASSWORD);
      expect((await remove(ids.get('to-delete')!, furongAdmin)).status).toBe(204);
      expect((await me(token)).status).toBe(401);
      expect((await remove(ids.get('to-delete')!, furongAdmin)).status).toBe(404);
    });

    it('refuses oneself', async () => {
      const self = await remove(ids.get('admin')!);
      expect(self.status).toBe(403);
    });

    it('never removes the last city-wide admin, even when two remove each other at once', async () => {
      let survivor = await t.userToken('chief-0', 'admin', '4301');
      // Take the seeded admin out of the way (chief-0 does it: an admin does not disable themself).
      expect((await patch(ids.get('admin')!, { disabled: true }, survivor)).status).toBe(200);
      // Whether both requests get past authentication before either deletes is up to timing: a few rounds.
      for (let round = 1; round <= 4; round++) {
        const created = await t.request('POST', '/api/v1/users', {
          token: survivor,
          body: { username: `chief-${round}`, password: USER_PASSWORD, role: 'admin', civilCode: '4301' },
        });
        expect(created.status).toBe(201);
        const other = await t.login(`chief-${round}`, USER_PASSWORD);
        const [idA, idB] = [(await me(survivor)).body.id, (await me(other)).body.id];
        const [byA, byB] = await Promise.all([remove(idB, survivor), remove(idA, other)]);
        // One delete wins; the other finds its target the last admin (409) or its own account gone (401).
        expect([byA.status, byB.status].sort()).toEqual([
          204,
          expect.toSatisfy((s) => s === 401 || s === 409),
        ]);
        const loser = byA.status === 204 ? byB : byA;
        if (loser.status === 409) expect(loser.body.message).toContain('is the last enabled city-wide admin');
        survivor = byA.status === 204 ? survivor : other;
        expect((await me(survivor)).status).toBe(200);
      }
      expect((await patch(ids.get('admin')!, { disabled: false }, survivor)).status).toBe(200);
      admin = await t.adminToken();
    });
  });

  describe('POST /api/v1/me/password', () => {
    const change = (token: string, body: unknown) =>
      t.request<Failure>('POST', '/api/v1/me/password', { token, body });

    it('requires authentication', async () => {
      expect((await t.request('POST', '/api/v1/me/password', { body: {} })).status).toBe(401);
    });

    it('needs the current password and a new one of at least 8 characters', async () => {
      const token = await t.login('self-changer', USER_PASSWORD);
      const wrong = await change(token, { current: 'not-it', new: 'new-password-1' });
      expect(wrong.status).toBe(400);
      expect(wrong.body.message).toBe('current: the password is wrong');
      const short = await change(token, { current: USER_PASSWORD, new: 'short' });
      expect(short.status).toBe(400);
      expect(short.body.message).toBe('invalid password change: new: must be at least 8 characters');
    });

    it('changes the password: the old one stops working, other tokens are revoked, this one stays', async () => {
      const mine = await t.login('self-changer', USER_PASSWORD);
      const elsewhere = await t.login('self-changer', USER_PASSWORD);
      expect((await change(mine, { current: USER_PASSWORD, new: 'new-password-1' })).status).toBe(204);
      expect((await me(mine)).status).toBe(200);
      expect((await me(elsewhere)).status).toBe(401);
      const old = await t.request('POST', '/api/v1/auth/login', {
        body: { username: 'self-changer', password: USER_PASSWORD },
      });
      expect(old.status).toBe(401);
      expect(await t.login('self-changer', 'new-password-1')).toMatch(/\./);
    });
  });

  describe('POST /api/v1/users/{id}/password', () => {
    const reset = (id: string, body: unknown, token = admin) =>
      t.request<Failure>('POST', `/api/v1/users/${id}/password`, { token, body });

    it('requires authentication', async () => {
      expect(
        (await t.request('POST', `/api/v1/users/${ids.get('to-reset')}/password`, { body: {} })).status,
      ).toBe(401);
    });

    it('a district admin cannot reach another district’s users', async () => {
      expect((await reset(ids.get('yuelu-op')!, { password: 'reset-password' }, furongAdmin)).status).toBe(
        403,
      );
    });

    it('sets the password and revokes every token of the user', async () => {
      const token = await t.login('to-reset', USER_PASSWORD);
      const short = await reset(ids.get('to-reset')!, { password: 'x' }, furongAdmin);
      expect(short.status).toBe(400);
      expect(short.body.message).toBe('invalid password reset: password: must be at least 8 characters');
      expect((await reset(ids.get('to-reset')!, { password: 'reset-password' }, furongAdmin)).status).toBe(
        204,
      );
      expect((await me(token)).status).toBe(401);
      expect(await t.login('to-reset', 'reset-password')).toMatch(/\./);
    });
  });

  describe('POST /api/v1/users/{id}/unlock', () => {
    it('requires authentication', async () => {
      expect((await t.request('POST', `/api/v1/users/${ids.get('furong-op')}/unlock`)).status).toBe(401);
    });

    it('a district admin cannot reach another district’s users', async () => {
      const r = await t.request('POST', `/api/v1/users/${ids.get('yuelu-op')}/unlock`, {
        token: furongAdmin,
      });
      expect(r.status).toBe(403);
      const inside = await t.request('POST', `/api/v1/users/${ids.get('furong-op')}/unlock`, {
        token: furongAdmin,
      });
      expect(inside.status).toBe(204);
    });
  });
});
