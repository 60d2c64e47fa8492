import { describe, expect, it } from 'vitest';
import type { ApiError } from '../src/api/errors';
import { describeApiError, formatDuration, formatRate, translate, translator } from '../src/i18n/i18n';
import { en, type MessageKey, zhCN } from '../src/i18n/messages';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('i18n', () => {
  it('Chinese first, with English for every key and the same placeholders', () => {
    for (const key of Object.keys(zhCN) as MessageKey[]) {
      expect(en[key], key).not.toBe('');
      expect(placeholders(en[key]), key).toEqual(placeholders(zhCN[key]));
    }
    expect(translate('zh-CN', 'nav.outages')).toBe('告警与故障');
    expect(translate('en', 'nav.outages')).toBe('Alarms & outages');
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translate('zh-CN', 'outages.list', { count: 42 })).toBe('故障点位（42）');
    expect(translate('zh-CN', 'outages.list')).toBe('故障点位（{count}）');
  });

  it('formats durations', () => {
    const t = translator('zh-CN');
    expect(formatDuration(30_000, t)).toBe('不到 1 分钟');
    expect(formatDuration(12 * 60_000, t)).toBe('12 分钟');
    expect(formatDuration((2 * 60 + 5) * 60_000, t)).toBe('2 小时 5 分');
    expect(formatDuration((3 * 24 + 4) * 3600_000, t)).toBe('3 天 4 小时');
  });

  it('formats the online rate', () => {
    expect(formatRate(0.9734)).toBe('97.3%');
    expect(formatRate(Number.NaN)).toBe('—');
  });

  it('describes every API error', () => {
    const t = translator('zh-CN');
    const errors: ApiError[] = [
      { kind: 'network', message: 'ECONNREFUSED' },
      { kind: 'timeout', timeoutMs: 10_000 },
      { kind: 'unauthorized', message: '' },
      { kind: 'forbidden', message: '' },
      { kind: 'not-found', message: '' },
      { kind: 'validation', message: 'bad' },
      { kind: 'server', status: 503, code: 'unavailable', message: 'db down' },
      { kind: 'decode', message: '.status' },
    ];
    expect(errors.map((e) => describeApiError(e, t))).toEqual([
      '无法连接平台：ECONNREFUSED',
      '请求超时（10 秒）',
      '未登录或登录已过期',
      '无权访问',
      '未找到',
      '请求有误：bad',
      '平台错误（503）：db down',
      '平台返回的数据无法识别：.status',
    ]);
  });
});
