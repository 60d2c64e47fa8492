import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestPlatform } from '../support/platform';

interface User {
  id: string;
  username: string;
  role: string;
  civilCode: string;
}

describe('/api/v1/users', () => {
  let t: TestPlatform;
  let admin: string;
  beforeAll(async () => {
    t = await TestPlatform.start();
    admin = await t.adminToken();
  });
  afterAll(() => t?.close());

  const create = (body: unknown, token = admin) =>
    t.request<User & { message: string }>('POST', '/api/v1/users', { token, body });

  describe('POST', () => {
    it('requires authentication', async () => {
      expect((await t.request('POST', '/api/v1/users', { body: {} })).status).toBe(401);
    });

    it('a district operator cannot reach another district', async () => {
      const furongAdmin = await t.userToken('admin-furong-p', 'admin', '430102');
      const inside = await create(
        { username: 'op-wenyi', password: 'password-1', role: 'operator', civilCode: '430102001' },
        furongAdmin,
      );
      expect(inside.status).toBe(201);
      const outside = await create(
        { username: 'op-x', password: 'password-1', role: 'operator', civilCode: '430104' },
        furongAdmin,
      );
      expect(outside.status).toBe(403);
      const upward = await create(
        { username: 'op-y', password: 'password-1', role: 'admin', civilCode: '4301' },
        furongAdmin,
      );
      expect(upward.status).toBe(403);
    });

    it('creates a user who can log in; the password is never returned', async () => {
      const r = await create({
        username: 'viewer-1',
        password: 'password-1',
        role: 'viewer',
        civilCode: '430103',
      });
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({ username: 'viewer-1', role: 'viewer', civilCode: '430103' });
      expect(JSON.stringify(r.body)).not.toContain('password');
      expect(await t.login('viewer-1', 'password-1')).toMatch(/\./);
    });

    it('is for admins only', async () => {
      const operator = await t.userToken('op-plain', 'operator', '430102');
      const r = await create(
        { username: 'z', password: 'password-1', role: 'viewer', civilCode: '430102' },
        operator,
      );
      expect(r.status).toBe(403);
      expect(r.body.message).toBe('requires role admin; op-plain is operator');
    });

    it('answers 409 for a taken username and 400 for invalid input or an unknown area', async () => {
      expect(
        (await create({ username: 'admin', password: 'password-1', role: 'viewer', civilCode: '4301' }))
          .status,
      ).toBe(409);
      const invalid = await create({
        username: 'bad name',
        password: 'short',
        role: 'root',
        civilCode: '4301',
      });
      expect(invalid.status).toBe(400);
      expect(invalid.body.message).toContain('username: must be 1–64 characters');
      expect(invalid.body.message).toContain('password: must be at least 8 characters');
      expect(invalid.body.message).toContain('role');
      const unknown = await create({
        username: 'far',
        password: 'password-1',
        role: 'viewer',
        civilCode: '110101',
      });
      expect(unknown.status).toBe(400);
      expect(unknown.body.message).toBe('invalid user: civilCode 110101 is not a known civil area');
    });
  });

  describe('GET', () => {
    it('requires authentication', async () => {
      expect((await t.get('/api/v1/users')).status).toBe(401);
    });

    it('a district operator cannot reach another district', async () => {
      await t.userToken('op-yuelu', 'operator', '430104');
      const furongAdmin = await t.login('admin-furong-p', 'user-test-password');
      const seen = await t.get<User[]>('/api/v1/users', furongAdmin);
      expect(seen.status).toBe(200);
      expect(seen.body.every((u) => u.civilCode.startsWith('430102'))).toBe(true);
      expect(seen.body.map((u) => u.username)).toContain('op-wenyi');
      expect(seen.body.map((u) => u.username)).not.toContain('op-yuelu');
      const operator = await t.login('op-yuelu', 'user-test-password');
      expect((await t.get('/api/v1/users', operator)).status).toBe(403);
      const all = await t.get<User[]>('/api/v1/users', admin);
      expect(all.body.map((u) => u.username)).toEqual(
        expect.arrayContaining(['admin', 'op-wenyi', 'op-yuelu']),
      );
    });
  });
});
