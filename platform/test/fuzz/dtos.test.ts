import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fuzz, Mutator } from '@tessera/testkit';
import { describe, expect, it } from 'vitest';

/**
 * Fuzz stage, the API's request DTOs (zod, at the HTTP boundary): mutated JSON of valid bodies. Text that is not
 * JSON is the body parser's 400; for the rest, a schema must answer (never throw, whatever the shape: arrays for
 * objects, prototypes, huge numbers, deep nesting), and what it accepts must be accepted again unchanged and be no
 * larger than what came in, give or take the defaults it fills.
 *
 * Every request schema of the API (packages/contracts/src/api) (named …Body, …Query, …Param, …Id, …Name, …Password, …Coordinate) is found and
 * fuzzed, so a new one is covered the day it is added; `examples` below seed the known ones with valid values,
 * the others start from all of them.
 */
interface SafeParser {
  safeParse(
    value: unknown,
  ): { success: true; data: unknown } | { success: false; error: { issues: unknown[] } };
}
const dtoDir = join(__dirname, '../../../packages/contracts/src/api');
const schemas: { name: string; schema: SafeParser }[] = [];
for (const file of readdirSync(dtoDir).filter((f) => f.endsWith('.ts') && f !== 'index.ts')) {
  const module = (await import(join(dtoDir, file))) as Record<string, unknown>;
  for (const [name, value] of Object.entries(module)) {
    if (!/(Body|Query|Param|Id|Name|Password|Coordinate)$/.test(name)) continue;
    if (typeof (value as Partial<SafeParser> | undefined)?.safeParse === 'function') {
      schemas.push({ name, schema: value as SafeParser });
    }
  }
}

const examples: Record<string, unknown[]> = {
  LoginBody: [{ username: 'admin', password: 'e2e-admin-password' }],
  ChannelQuery: [{ deviceId: '43010200001320000001', civilCode: '430102', status: 'online' }, {}],
  CivilAreaQuery: [{ parent: '4301' }, {}],
  CreateDeviceBody: [
    {
      deviceId: '43010200001320000001',
      name: '芙蓉路口',
      password: 'device-secret',
      charset: 'gb18030',
      enabled: true,
      keepaliveIntervalSec: 60,
      keepaliveCount: 3,
    },
  ],
  UpdateDeviceBody: [{ name: null, enabled: false }],
  DeviceIdParam: ['43010200001320000001'],
  ChannelIdParam: ['43010200001310000001'],
  TileCoordinate: ['13'],
  PtzBody: [
    { type: 'move', direction: 'up-left', panSpeed: 80, tiltSpeed: 80 },
    { type: 'zoom', direction: 'in', speed: 8 },
    { type: 'preset', action: 'call', preset: 3 },
    { type: 'stop' },
  ],
  UpperPlatformBody: [
    {
      name: '省平台',
      sipId: '44010000002000000001',
      domain: '4401000000',
      host: '10.0.0.9',
      port: 5060,
      transport: 'tcp',
      localId: null,
      password: 'upper-secret',
      registerExpiresSec: 3600,
      keepaliveIntervalSec: 60,
      keepaliveCount: 3,
      charset: 'gb2312',
      enabled: true,
      shareCivilCodes: ['430102', '430104'],
      shareDeviceIds: ['43010200001320000001'],
      shareChannelIds: ['43010200001310000001'],
      remap: { '43010200001310000001': { id: '44010000001310000001', name: '芙蓉路' } },
    },
  ],
  NewPassword: ['a-long-password'],
  CreateUserBody: [
    { username: 'op-furong', password: 'a-long-password', role: 'operator', civilCode: '430102' },
  ],
  UpdateUserBody: [{ role: 'viewer', civilCode: '4301', disabled: true }],
  ChangePasswordBody: [{ current: 'old-password', new: 'new-password-1' }],
  ResetPasswordBody: [{ password: 'reset-password-1' }],
  UserId: ['8d223ef2-9594-4376-b3f4-34fd2e50bdee'],
  WallLayoutName: ['值班大屏'],
  WallLayoutBody: [
    {
      grid: 4,
      tiles: [
        { tile: 0, channelId: '43010200001310000001' },
        { tile: 3, channelId: '43010200001310000002' },
      ],
    },
  ],
};
const everyExample = Object.values(examples).flat();

const tokens = [
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  '"',
  'null',
  'true',
  '[]',
  '{}',
  '"__proto__":{"admin":true},',
  '"constructor":{"prototype":{}},',
  '1e309',
  '-0',
  '9007199254740993',
  '0.5',
  '"\\u0000"',
  '"\\ud800"',
  '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]',
];

describe('fuzz: API request DTOs', () => {
  it('finds the request schemas', () => {
    expect(schemas.map((s) => s.name)).toEqual(
      expect.arrayContaining(['LoginBody', 'PtzBody', 'WallLayoutBody']),
    );
  });

  for (const { name, schema } of schemas) {
    it(`${name}: the schema answers every JSON value; what it accepts it accepts again, unchanged and bounded`, () => {
      const corpus = (examples[name] ?? everyExample).map((e) => Buffer.from(JSON.stringify(e)));
      const report = fuzz({
        target: `dto ${name}`,
        mutator: new Mutator({ corpus, tokens }),
        iterations: 800,
        budgetMs: 2_000,
        run: (input) => {
          let value: unknown;
          try {
            value = JSON.parse(input.toString('utf8'));
          } catch (error) {
            if (error instanceof SyntaxError) return 'rejected';
            throw error;
          }
          const result = schema.safeParse(value);
          if (!result.success) {
            if (result.error.issues.length === 0) throw new Error('refused without saying why');
            return 'rejected';
          }
          const again = schema.safeParse(result.data);
          if (!again.success)
            throw new Error(`accepted, then refused: ${JSON.stringify(again.error.issues)}`);
          expect(again.data).toEqual(result.data);
          const size = JSON.stringify(result.data ?? null).length;
          if (size > input.length + 1024) throw new Error(`${size} B accepted from ${input.length} B`);
          return 'accepted';
        },
      });
      expect(report.accepted + report.rejected).toBe(report.inputs);
      expect(report.rejected).toBeGreaterThan(0);
    });
  }
});
