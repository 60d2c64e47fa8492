import { describe, expect, it } from 'vitest';
import { ApiClient } from '../src/api/client';
import { decode } from '@tessera/contracts/api';
import { upperPlatformList } from '../src/api/decoders';
import type { ApiError, Result } from '../src/api/errors';
import type { CivilAreaNode, CivilCode, UpperPlatform } from '../src/api/types';
import { viewAllowed } from '../src/app/router';
import { summarizeLink } from '../src/cascade/link-state';
import { type FeedState, PollingFeed } from '../src/cascade/polling-feed';
import {
  effectiveDomain,
  emptyForm,
  formFromUpper,
  parseIdList,
  toggleCode,
  toggledBody,
  type UpperForm,
  validateForm,
} from '../src/cascade/upper-form';
import { translate } from '../src/i18n/i18n';
import { isCityWide } from '../src/state/areas';

const UPPER_ID = '43000000002000000001';
const NOW = Date.parse('2025-11-24T09:00:00Z');

/** As the platform answers (UpperPlatformView). */
function view(overrides: Partial<UpperPlatform> = {}): UpperPlatform {
  return {
    id: '3f1d2f7e-0000-4000-8000-000000000001',
    name: '湖南省厅平台',
    sipId: UPPER_ID,
    domain: '4300000000',
    host: '10.43.0.1',
    port: 5060,
    transport: 'udp',
    localId: null,
    registerExpiresSec: 1800,
    keepaliveIntervalSec: 30,
    keepaliveCount: 4,
    charset: 'gb18030',
    enabled: true,
    shareCivilCodes: ['4301'],
    shareDeviceIds: [],
    shareChannelIds: ['43010200001320000001'],
    remap: { '43010200001320000001': { id: '43000000001320000009', name: '五一广场' } },
    platformChannelId: null,
    link: { state: 'registered', detail: null, retryAt: null, changedAt: '2025-11-24T08:59:00.000Z' },
    sharedChannels: 42,
    ...overrides,
  };
}

function filled(overrides: Partial<UpperForm> = {}): UpperForm {
  return {
    ...emptyForm(),
    name: '长沙市局平台',
    sipId: UPPER_ID,
    host: '127.0.0.1',
    port: '5061',
    password: 'secret-1',
    ...overrides,
  };
}

describe('upper platforms: decoding', () => {
  it('decodes the list, link state and remap as the platform sends them', () => {
    const body = JSON.parse(JSON.stringify([view(), view({ id: 'x', link: failedLink() })]));
    const decoded = decode(upperPlatformList, body, '/api/v1/upper-platforms');
    expect(decoded[0]).toEqual(view());
    expect(decoded[1]!.link).toEqual(failedLink());
  });

  it('names the path of what is wrong', () => {
    const bad = [view({ link: { ...failedLink(), state: 'broken' as never } })];
    expect(() => decode(upperPlatformList, bad, '/api/v1/upper-platforms')).toThrow(
      /\/api\/v1\/upper-platforms\[0\]\.link\.state: expected one of disabled, registering, registered, failed/,
    );
    const remap = [view({ remap: { a: { id: 7 as never } } })];
    expect(() => decode(upperPlatformList, remap, '/u')).toThrow(
      /\/u\[0\]\.remap\["a"\]\.id: expected a string/,
    );
    const missing = [{ ...view(), sharedChannels: undefined }];
    expect(() => decode(upperPlatformList, missing, '/u')).toThrow(/\/u\[0\]\.sharedChannels/);
  });

  it('calls the routes: list, create, replace, delete; 403 and 409 come back as values', async () => {
    const calls: { url: string; method: string; body: unknown }[] = [];
    const answers: Response[] = [
      json(200, [view()]),
      json(201, view()),
      json(200, view({ enabled: false })),
      new Response(null, { status: 204 }),
      json(403, {
        statusCode: 403,
        error: 'Forbidden',
        message: 'upper platforms are configured by a city-wide admin',
      }),
      json(409, {
        statusCode: 409,
        error: 'Conflict',
        message: `an upper platform with ID ${UPPER_ID} exists`,
      }),
    ];
    const client = new ApiClient({
      getToken: () => 't',
      fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
        calls.push({
          url: String(input),
          method: init?.method ?? 'GET',
          body: init?.body ? JSON.parse(String(init.body)) : null,
        });
        return answers.shift()!;
      }) as typeof fetch,
    });
    const body = toggledBody(view(), false);
    expect((await client.upperPlatforms()).ok).toBe(true);
    expect((await client.createUpperPlatform(body)).ok).toBe(true);
    const updated = await client.updateUpperPlatform('id/1', body);
    expect(updated.ok && updated.value.enabled).toBe(false);
    expect(await client.deleteUpperPlatform('id1')).toEqual({ ok: true, value: null });
    expect(await client.upperPlatforms()).toEqual({
      ok: false,
      error: { kind: 'forbidden', message: 'upper platforms are configured by a city-wide admin' },
    });
    const conflict = await client.createUpperPlatform(body);
    expect(!conflict.ok && conflict.error).toMatchObject({ kind: 'server', status: 409 });
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'GET /api/v1/upper-platforms',
      'POST /api/v1/upper-platforms',
      'PUT /api/v1/upper-platforms/id%2F1',
      'DELETE /api/v1/upper-platforms/id1',
      'GET /api/v1/upper-platforms',
      'POST /api/v1/upper-platforms',
    ]);
    expect(calls[1]!.body).toEqual(body);
  });
});

describe('upper platforms: link state', () => {
  it('colours and labels every state', () => {
    const tones = (['registered', 'registering', 'failed', 'disabled'] as const).map((state) => {
      const s = summarizeLink({ state, detail: null, retryAt: null, changedAt: null }, NOW);
      return [state, s.tone, translate('zh-CN', s.label), translate('en', s.label)];
    });
    expect(tones).toEqual([
      ['registered', 'green', '已注册', 'Registered'],
      ['registering', 'amber', '注册中', 'Registering'],
      ['failed', 'red', '失败', 'Failed'],
      ['disabled', 'grey', '已停用', 'Disabled'],
    ]);
  });

  it('a failed link says why, since when and when it tries again', () => {
    const s = summarizeLink(failedLink(), NOW);
    expect(s.detail).toBe('403 Forbidden');
    expect(s.since).toBe(NOW - 5_000);
    expect(s.retryAt).toBe(NOW + 7_500);
    expect(s.retryInSec).toBe(8);
    expect(summarizeLink(failedLink(), NOW + 60_000).retryInSec).toBe(0);
  });

  it('ignores a retry time outside failed, and unreadable or missing times', () => {
    const registered = summarizeLink(
      { ...failedLink(), state: 'registered', detail: 'via 10.0.0.2:5060' },
      NOW,
    );
    expect(registered.retryAt).toBeNull();
    expect(registered.detail).toBe('via 10.0.0.2:5060');
    const odd = summarizeLink({ state: 'failed', detail: null, retryAt: 'soon', changedAt: null }, NOW);
    expect([odd.since, odd.retryAt, odd.retryInSec]).toEqual([null, null, null]);
  });
});

describe('upper platforms: the form', () => {
  it('builds the body with defaults: domain from the SIP ID, our ID null, shares parsed', () => {
    const result = validateForm(
      filled({
        shareCivilCodes: ['430102', '430103'],
        deviceIds: '43010200001110000001, 43010200001110000002\n43010200001110000001',
        channelIds: '43010200001320000001，43010200001320000002；',
        keepaliveIntervalSec: ' 5 ',
      }),
    );
    expect(result).toEqual({
      ok: true,
      body: {
        name: '长沙市局平台',
        sipId: UPPER_ID,
        domain: '4300000000',
        host: '127.0.0.1',
        port: 5061,
        transport: 'udp',
        localId: null,
        password: 'secret-1',
        registerExpiresSec: 3600,
        keepaliveIntervalSec: 5,
        keepaliveCount: 3,
        charset: 'gb2312',
        enabled: true,
        shareCivilCodes: ['430102', '430103'],
        shareDeviceIds: ['43010200001110000001', '43010200001110000002'],
        shareChannelIds: ['43010200001320000001', '43010200001320000002'],
        remap: {},
      },
    });
  });

  it('follows the SIP ID until the domain is typed', () => {
    expect(effectiveDomain(filled({ sipId: '43010000002000000001' }))).toBe('4301000000');
    expect(effectiveDomain(filled({ domain: 'city.example', domainEdited: true }))).toBe('city.example');
  });

  it('reports every wrong field, in both languages', () => {
    const result = validateForm({
      ...emptyForm(),
      name: ' ',
      sipId: '4301',
      host: 'a b',
      port: '70000',
      localId: '12',
      keepaliveIntervalSec: '0',
      deviceIds: '43010200001110000001, 123',
      channelIds: 'x,y,z,w',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.field)).toEqual([
      'name',
      'sipId',
      'host',
      'port',
      'localId',
      'password',
      'keepaliveIntervalSec',
      'deviceIds',
      'channelIds',
    ]);
    const ids = result.problems.find((p) => p.field === 'channelIds')!;
    expect(translate('zh-CN', ids.message, ids.params)).toBe('以下编号不是 20 位数字：x, y, z …(+1)');
    expect(translate('en', ids.message, ids.params)).toBe('Not 20-digit IDs: x, y, z …(+1)');
    const sip = result.problems.find((p) => p.field === 'sipId')!;
    expect(translate('zh-CN', sip.message)).toBe('SIP 编号须为 20 位数字');
    expect(translate('en', sip.message)).toBe('The SIP ID must be 20 digits');
  });

  it('sends an empty password only when "no password" is ticked', () => {
    const none = validateForm(filled({ password: '', noPassword: true }));
    expect(none.ok && none.body.password).toBe('');
    const ticked = validateForm(filled({ password: 'typed', noPassword: true }));
    expect(ticked.ok && ticked.body.password).toBe('');
    expect(validateForm(filled({ password: '' })).ok).toBe(false);
  });

  it('editing keeps what the form does not show; a blank password keeps the stored one', () => {
    const upper = view({ domain: 'hunan.example', localId: '43010000002000000009' });
    const form = formFromUpper(upper);
    expect(form.password).toBe('');
    expect(form.domainEdited).toBe(true);
    expect(form.channelIds).toBe('43010200001320000001');
    const kept = validateForm(form, upper);
    expect(kept.ok && 'password' in kept.body).toBe(false);
    const result = validateForm({ ...form, password: 'new', enabled: false }, upper);
    expect(result.ok && result.body).toEqual({
      ...toggledBody(upper, false),
      password: 'new',
      domain: 'hunan.example',
    });
    expect(formFromUpper(view()).domainEdited).toBe(false);
  });

  it('the row toggle sends the same configuration with only `enabled` changed and no password', () => {
    const body = toggledBody(view(), false);
    // platformChannelId is left out: on a replace the platform keeps the stored one (the form does not carry it).
    const { id: _id, link: _link, sharedChannels: _n, platformChannelId: _p, ...config } = view();
    expect(body).toEqual({ ...config, enabled: false });
  });

  it('parses ID lists and toggles areas', () => {
    expect(parseIdList(' a,b\n\nc ， a、d;e；f ')).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(parseIdList('  ')).toEqual([]);
    expect(toggleCode(['4301'], '430102')).toEqual(['4301', '430102']);
    expect(toggleCode(['4301', '430102'], '4301')).toEqual(['430102']);
  });
});

describe('upper platforms: polling and access', () => {
  it('polls one request at a time, keeps the last list on a failure, refreshes on demand', async () => {
    const timers: { fn: () => void; ms: number }[] = [];
    const states: FeedState<number>[] = [];
    const answers: Result<number>[] = [ok(1), err({ kind: 'timeout', timeoutMs: 10 }), ok(2), ok(3)];
    let loads = 0;
    const feed = new PollingFeed<number>({
      load: async () => {
        loads++;
        return answers.shift()!;
      },
      intervalMs: 5_000,
      onChange: (s) => states.push(s),
      now: () => NOW,
      setTimer: (fn, ms) => timers.push({ fn, ms }),
      clearTimer: () => undefined,
    });
    feed.start();
    feed.refresh(); // in flight: one more poll after it, not a second request now
    await flush();
    expect(loads).toBe(2);
    expect(states.map((s) => [s.data, s.error?.kind ?? null])).toEqual([
      [1, null],
      [1, 'timeout'],
    ]);
    expect(timers).toHaveLength(1);
    expect(timers[0]!.ms).toBe(5_000);
    timers[0]!.fn();
    await flush();
    expect(feed.state).toEqual({ data: 2, error: null, updatedAt: NOW, stopped: false });
    feed.close();
    timers[1]!.fn();
    await flush();
    expect(loads).toBe(3);
  });

  it('stops polling on 403: asking again will not help', async () => {
    const timers: (() => void)[] = [];
    const feed = new PollingFeed<number>({
      load: async () => err({ kind: 'forbidden', message: 'not city-wide' }),
      intervalMs: 5_000,
      onChange: () => undefined,
      setTimer: (fn) => timers.push(fn),
      clearTimer: () => undefined,
    });
    feed.start();
    await flush();
    expect(feed.state.stopped).toBe(true);
    expect(timers).toHaveLength(0);
  });

  it('shows 上级平台 to city-wide admins only', () => {
    const area = (code: string, parentCode: string | null): CivilAreaNode => ({
      code: code as CivilCode,
      name: code,
      parentCode: parentCode as CivilCode | null,
      level: code.length === 4 ? 2 : 3,
      childCount: 1,
      channelCount: 0,
      onlineCount: 0,
    });
    expect(isCityWide({ civilCode: '4301' as CivilCode }, [area('4301', null)])).toBe(true);
    expect(isCityWide({ civilCode: '430102' as CivilCode }, [area('430102', '4301')])).toBe(false);
    expect(viewAllowed('cascade', { isAdmin: true, isCityAdmin: true })).toBe(true);
    expect(viewAllowed('cascade', { isAdmin: true, isCityAdmin: false })).toBe(false);
    expect(viewAllowed('users', { isAdmin: true, isCityAdmin: false })).toBe(true);
    expect(viewAllowed('map', { isAdmin: false, isCityAdmin: false })).toBe(true);
  });
});

function failedLink(): UpperPlatform['link'] {
  return {
    state: 'failed',
    detail: '403 Forbidden',
    retryAt: new Date(NOW + 7_500).toISOString(),
    changedAt: new Date(NOW - 5_000).toISOString(),
  };
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

function err<T>(error: ApiError): Result<T> {
  return { ok: false, error };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
