import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type EventSourceLike,
  type LiveConnectionState,
  LiveEventSubscription,
  parseLiveEvent,
} from '../src/api/events';
import type { LiveEvent, SessionEndedEvent } from '../src/api/types';
import { sessionEndNotice } from '../src/auth/session';
import { translate } from '../src/i18n/i18n';

class FakeEventSource implements EventSourceLike {
  readyState = 0;
  onopen: ((event: Event) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  closed = false;
  readonly listeners = new Map<string, (event: MessageEvent<string>) => void>();
  constructor(readonly url: string) {}
  addEventListener(type: string, listener: (event: MessageEvent<string>) => void): void {
    this.listeners.set(type, listener);
  }
  close(): void {
    this.closed = true;
    this.readyState = 2;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }
  emit(type: string, data: string): void {
    this.listeners.get(type)?.(new MessageEvent(type, { data }));
  }
  fail(readyState: number): void {
    this.readyState = readyState;
    this.onerror?.(new Event('error'));
  }
}

function subscribe() {
  const sources: FakeEventSource[] = [];
  const events: LiveEvent[] = [];
  const states: LiveConnectionState['kind'][] = [];
  const onResync = vi.fn();
  const sessionEnds: SessionEndedEvent['reason'][] = [];
  const subscription = new LiveEventSubscription({
    url: () => '/api/v1/events?token=x',
    onEvent: (e) => events.push(e),
    onState: (s) => states.push(s.kind),
    onResync,
    onSessionEnded: (reason) => sessionEnds.push(reason),
    createEventSource: (url) => {
      const source = new FakeEventSource(url);
      sources.push(source);
      return source;
    },
  });
  return { subscription, sources, events, states, onResync, sessionEnds };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('parseLiveEvent', () => {
  it('decodes device and channel status', () => {
    expect(
      parseLiveEvent(
        'device.status',
        '{"deviceId":"1","status":"offline","reason":"keepalive timeout","at":"t"}',
      ),
    ).toEqual({
      type: 'device.status',
      data: { deviceId: '1', status: 'offline', reason: 'keepalive timeout', at: 't' },
    });
    expect(
      parseLiveEvent(
        'channel.status',
        '{"deviceId":"1","channelId":"2","status":"online","at":"t","lastEvent":"ON"}',
      ),
    ).toMatchObject({
      type: 'channel.status',
      data: { deviceId: '1', channelId: '2', status: 'online', at: 't' },
    });
  });

  it('returns null for anything malformed, never throws', () => {
    for (const data of [
      '',
      'not json',
      '{}',
      '[]',
      'null',
      '{"deviceId":1,"status":"online","at":"t"}',
      '{"deviceId":"1","status":"maybe","at":"t"}',
    ]) {
      expect(parseLiveEvent('device.status', data)).toBeNull();
      expect(parseLiveEvent('channel.status', data)).toBeNull();
    }
  });
});

describe('LiveEventSubscription', () => {
  it('delivers decoded events and counts bad ones', () => {
    const { subscription, sources, events, states } = subscribe();
    sources[0]!.open();
    sources[0]!.emit(
      'channel.status',
      '{"deviceId":"1","channelId":"2","status":"offline","lastEvent":"OFF","at":"t"}',
    );
    sources[0]!.emit('channel.status', '{oops');
    expect(events).toHaveLength(1);
    expect(subscription.invalidMessages).toBe(1);
    expect(states).toEqual(['connecting', 'open']);
  });

  it('reopens with back-off after the server closed the stream, and asks for a resync', () => {
    vi.useFakeTimers();
    const { sources, states, onResync } = subscribe();
    sources[0]!.open();
    sources[0]!.fail(2);
    expect(states.at(-1)).toBe('reconnecting');
    expect(sources).toHaveLength(1);
    vi.advanceTimersByTime(2000);
    expect(sources).toHaveLength(2);
    expect(onResync).not.toHaveBeenCalled();
    sources[1]!.open();
    expect(onResync).toHaveBeenCalledOnce();
  });

  it('leaves transient failures to EventSource itself', () => {
    const { sources, states } = subscribe();
    sources[0]!.open();
    sources[0]!.fail(0);
    expect(states.at(-1)).toBe('reconnecting');
    expect(sources[0]!.closed).toBe(false);
  });

  it('close is idempotent and stops reconnecting', () => {
    vi.useFakeTimers();
    const { subscription, sources, states } = subscribe();
    sources[0]!.fail(2);
    subscription.close();
    subscription.close();
    vi.advanceTimersByTime(60_000);
    expect(sources).toHaveLength(1);
    expect(states.filter((s) => s === 'closed')).toHaveLength(1);
  });

  it('stops reconnecting on session.ended and sends the console to its login page with a notice', () => {
    vi.useFakeTimers();
    const { subscription, sources, states, sessionEnds } = subscribe();
    sources[0]!.open();
    sources[0]!.emit('session.ended', '{"reason":"revoked","at":"t"}');
    // The platform then ends the stream; EventSource would try again with the dead token.
    sources[0]!.fail(0);
    sources[0]!.fail(2);
    vi.advanceTimersByTime(60_000);
    expect(sources).toHaveLength(1);
    expect(sources[0]!.closed).toBe(true);
    expect(states.at(-1)).toBe('closed');
    expect(sessionEnds).toEqual(['revoked']);
    expect(subscription.invalidMessages).toBe(0);
    expect(translate('en', sessionEndNotice(sessionEnds[0]!))).toBe(
      'Your session was ended (logged out, account disabled or deleted, or password changed), please log in again',
    );
    expect(sessionEndNotice('expired')).toBe('login.expired');
  });

  it('a session.ended it cannot decode still ends the session (as revoked) and is counted', () => {
    const { subscription, sources, sessionEnds } = subscribe();
    sources[0]!.open();
    sources[0]!.emit('session.ended', '{"reason":"bored"}');
    expect(sessionEnds).toEqual(['revoked']);
    expect(subscription.invalidMessages).toBe(1);
    expect(sources[0]!.closed).toBe(true);
  });
});
