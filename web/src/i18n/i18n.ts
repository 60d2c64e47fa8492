import type { ApiError } from '../api/errors';
import { en, type MessageKey, zhCN } from './messages';

export type Locale = 'zh-CN' | 'en';
export const LOCALES: readonly Locale[] = ['zh-CN', 'en'];

export type MessageParams = Record<string, string | number>;
export type Translate = (key: MessageKey, params?: MessageParams) => string;

const TABLES: Record<Locale, Record<MessageKey, string>> = { 'zh-CN': zhCN, en };

export function translate(locale: Locale, key: MessageKey, params?: MessageParams): string {
  const template = TABLES[locale][key];
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (match, name: string) => {
    const value = params[name];
    return value === undefined ? match : String(value);
  });
}

export function translator(locale: Locale): Translate {
  return (key, params) => translate(locale, key, params);
}

/** "3 天 4 小时", "2 小时 5 分", "12 分钟". */
export function formatDuration(ms: number, t: Translate): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return t('duration.underMinute');
  const hours = Math.floor(minutes / 60);
  const days = Math.floor(hours / 24);
  if (days > 0) return t('duration.days', { d: days, h: hours % 24 });
  if (hours > 0) return t('duration.hours', { h: hours, m: minutes % 60 });
  return t('duration.minutes', { m: minutes });
}

const timeFormats = new Map<Locale, Intl.DateTimeFormat>();

/** Local date and time, e.g. "2025/11/24 09:41". */
export function formatTime(ms: number, locale: Locale): string {
  let format = timeFormats.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, {
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hour12: false,
    });
    timeFormats.set(locale, format);
  }
  return format.format(ms);
}

const clockFormats = new Map<Locale, Intl.DateTimeFormat>();
const secondFormats = new Map<Locale, Intl.DateTimeFormat>();

/** Local date and time to the second, e.g. "2025/11/24 09:41:07". */
export function formatTimeSeconds(ms: number, locale: Locale): string {
  let format = secondFormats.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, {
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hour12: false,
    });
    secondFormats.set(locale, format);
  }
  return format.format(ms);
}

/** Local time of day to the second, e.g. "09:41:07". */
export function formatClock(ms: number, locale: Locale): string {
  let format = clockFormats.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, {
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hour12: false,
    });
    clockFormats.set(locale, format);
  }
  return format.format(ms);
}

/** "97.3%"; "—" when there is nothing to count. */
export function formatRate(rate: number): string {
  return Number.isFinite(rate) ? `${(rate * 100).toFixed(1)}%` : '—';
}

export function formatCount(n: number, locale: Locale): string {
  return n.toLocaleString(locale);
}

/** A sentence for the user about a failed call. */
export function describeApiError(error: ApiError, t: Translate): string {
  switch (error.kind) {
    case 'network':
      return t('error.network', { message: error.message });
    case 'timeout':
      return t('error.timeout', { seconds: Math.round(error.timeoutMs / 1000) });
    case 'unauthorized':
      return t('error.unauthorized');
    case 'forbidden':
      return t('error.forbidden');
    case 'not-found':
      return t('error.not-found');
    case 'validation':
      return t('error.validation', { message: error.message });
    case 'server':
      return t('error.server', { status: error.status, message: error.message });
    case 'decode':
      return t('error.decode', { message: error.message });
  }
}
