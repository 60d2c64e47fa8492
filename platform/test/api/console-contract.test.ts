import {
  BasemapInfo,
  ChannelStatusEvent,
  ChannelSummary,
  CivilAreaNode,
  DecodeError,
  type Decoder,
  DeviceStatusEvent,
  DeviceSummary,
  decoderFor,
  ErrorResponse,
  OnlineRate,
  Outage,
  TokenResponse,
  UpperPlatformView,
  UserResponse,
  WallLayout,
} from '@tessera/contracts/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as web from '../../../web/src/api/decoders';
import { openApiSchema } from '../../src/common/zod';
import { channelIdIn, deviceIdIn, now } from '../support/fixtures';
import { TestPlatform } from '../support/platform';
import { SseClient } from '../support/sse';

/**
 * The console decodes the platform's answers with decoders compiled from the platform's own schemas
 * (web/src/api/decoders.ts: `decoderFor(schema)` of @tessera/contracts/api). Here real answers of the platform go
 * through those decoders, and through the same schemas in exact mode: a field the platform sends that the contract
 * does not declare fails here (the console would never see it typed), and a declared field it stops sending fails
 * in the console's decoder (and the console's typecheck, which reads the same types).
 */
const exact = <S extends z.ZodType>(schema: S): Decoder<z.output<S>> => decoderFor(schema, { exact: true });

/** Decoded by the console and exactly by the contract; returns the body unchanged. */
function bothAccept<T>(consoleDecoder: Decoder<T>, schema: z.ZodType, body: unknown): void {
  const copy = structuredClone(body);
  expect(() => consoleDecoder(copy)).not.toThrow();
  expect(() => exact(schema)(structuredClone(body))).not.toThrow();
}

const UPPER_ID = '43000000002000000001';

describe('the console reads what the platform answers (shared schemas)', () => {
  let t: TestPlatform;
  let admin: string;
  const nvr = deviceIdIn('43010200', 1);
  const cameras = [channelIdIn('43010201', 1), channelIdIn('43010201', 2)];
  const answers = new Map<string, unknown>();

  const ok = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const r = await t.request(method, path, { token: admin, body });
    expect(r.status, `${method} ${path}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
    answers.set(path, r.body);
    return r.body;
  };

  beforeAll(async () => {
    t = await TestPlatform.start();
    admin = await t.adminToken();
    await t.deviceWithCameras(
      nvr,
      cameras.map((id) => ({ id, civilCode: '430102001' })),
    );
    await t.publish('device.offline', { deviceId: nvr, reason: 'keepalive-timeout', at: now() });
  });
  afterAll(() => t?.close());

  it('login, /me and /users', async () => {
    const login = await t.request('POST', '/api/v1/auth/login', {
      body: { username: 'admin', password: 'admin-test-password' },
    });
    bothAccept(web.tokenResponse, TokenResponse, login.body);
    bothAccept(web.currentUser, UserResponse, await ok('GET', '/api/v1/me'));
    bothAccept(web.userList, z.array(UserResponse), await ok('GET', '/api/v1/users'));
  });

  it('the inventory: devices, channels, civil areas', async () => {
    const devices = await ok('GET', '/api/v1/devices');
    expect(devices).toHaveLength(1);
    bothAccept(web.deviceList, z.array(DeviceSummary), devices);
    const channels = await ok('GET', '/api/v1/channels');
    expect(channels).toHaveLength(2);
    bothAccept(web.channelList, z.array(ChannelSummary), channels);
    bothAccept(web.civilAreaList, z.array(CivilAreaNode), await ok('GET', '/api/v1/civil-areas'));
  });

  it('outages and the online rate', async () => {
    bothAccept(web.outageList, z.array(Outage), await ok('GET', '/api/v1/outages'));
    bothAccept(web.onlineRate, OnlineRate, await ok('GET', '/api/v1/stats/online-rate'));
  });

  it('wall layouts, upper platforms, the base map', async () => {
    const layout = await ok('PUT', '/api/v1/wall-layouts/main', {
      grid: 4,
      tiles: [{ tile: 0, channelId: cameras[0] }],
    });
    bothAccept(web.wallLayout, WallLayout, layout);
    bothAccept(web.wallLayoutList, z.array(WallLayout), await ok('GET', '/api/v1/wall-layouts'));
    const upper = await ok('POST', '/api/v1/upper-platforms', {
      name: '长沙市公安局视频平台',
      sipId: UPPER_ID,
      domain: '4300000000',
      host: '127.0.0.1',
      port: 15060,
      shareCivilCodes: ['430102'],
      remap: { [cameras[0]!]: { name: '五一广场' } },
    });
    bothAccept(web.upperPlatform, UpperPlatformView, upper);
    bothAccept(web.upperPlatformList, z.array(UpperPlatformView), await ok('GET', '/api/v1/upper-platforms'));
    bothAccept(web.basemapInfo, BasemapInfo, await ok('GET', '/api/v1/basemap'));
  });

  it('an invalid request answers the error shape', async () => {
    const r = await t.request('PUT', '/api/v1/wall-layouts/bad', {
      token: admin,
      body: { grid: 3, tiles: [] },
    });
    expect(r.status).toBe(400);
    expect(() => exact(ErrorResponse)(r.body)).not.toThrow();
  });

  it('the live events of /api/v1/events', async () => {
    const stream = await SseClient.open(`${t.url}/api/v1/events`, { authorization: `Bearer ${admin}` });
    try {
      await stream.until('connected', () => (stream.comments().includes('connected') ? true : undefined));
      await t.register(nvr);
      await t.publish('catalog.changed', {
        deviceId: nvr,
        changes: [{ id: cameras[0]!, event: 'OFF', item: null }],
        at: now(),
      });
      const device = await stream.until('device.status', () => stream.event('device.status'));
      const channel = await stream.until('channel.status', () => stream.event('channel.status'));
      bothAccept(web.deviceStatusEvent, DeviceStatusEvent, device);
      bothAccept(web.channelStatusEvent, ChannelStatusEvent, channel);
    } finally {
      stream.close();
    }
  });

  it('the OpenAPI document describes the answers with the same schemas', async () => {
    const doc = await t.get<{
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    }>('/api/docs-json');
    expect(doc.status).toBe(200);
    type Answer = { content: Record<string, { schema: unknown }> } | undefined;
    const answer = (path: string, method: string, status = '200') =>
      (doc.body.paths[path]?.[method]?.responses[status] as Answer)?.content['application/json']?.schema;
    expect(answer('/api/v1/channels', 'get')).toEqual(openApiSchema(z.array(ChannelSummary)));
    expect(answer('/api/v1/me', 'get')).toEqual(openApiSchema(UserResponse));
    expect(answer('/api/v1/outages', 'get')).toEqual(openApiSchema(z.array(Outage)));
    expect(answer('/api/v1/wall-layouts', 'get')).toEqual(openApiSchema(z.array(WallLayout)));
  });

  it('a field missing from an answer fails the console, a field the contract lacks fails here', () => {
    const channels = answers.get('/api/v1/channels') as Record<string, unknown>[];
    const { status: _missing, ...withoutStatus } = channels[0]!;
    expect(() => web.channelList([withoutStatus])).toThrow(DecodeError);
    expect(() => web.channelList([withoutStatus])).toThrow('[0].status: expected one of online, offline');

    const me = { ...(answers.get('/api/v1/me') as object), department: '交警支队' };
    expect(() => web.currentUser(structuredClone(me))).not.toThrow();
    expect(() => exact(UserResponse)(me)).toThrow('.department: expected no such field');

    const upper = structuredClone(answers.get('/api/v1/upper-platforms')) as Array<{ link: object }>;
    upper[0]!.link = { ...upper[0]!.link, since: now() };
    expect(() => exact(z.array(UpperPlatformView))(upper)).toThrow('[0].link.since: expected no such field');
  });
});
