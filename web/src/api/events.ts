import { DecodeError } from '@tessera/contracts/api';
import { channelStatusEvent, deviceStatusEvent, sessionEndedEvent, streamEndedEvent } from './decoders';
import {
  LIVE_EVENT_TYPES,
  type LiveEvent,
  type LiveEventType,
  type SessionEndedEvent,
  type StreamEndedEvent,
} from './types';

/** The state of the live stream, shown in the header. */
export type LiveConnectionState =
  | { kind: 'connecting' }
  | { kind: 'open'; since: number }
  | { kind: 'reconnecting'; attempt: number; retryInMs: number }
  | { kind: 'closed' };

/** The part of `EventSource` the subscription uses, so tests can drive it without a browser. */
export interface EventSourceLike {
  readonly readyState: number;
  onopen: ((event: Event) => void) | null;
  onerror: ((event: Event) => void) | null;
  addEventListener(type: string, listener: (event: MessageEvent<string>) => void): void;
  close(): void;
}

export interface LiveEventSubscriptionOptions {
  url: () => string;
  onEvent: (event: LiveEvent) => void;
  /** A live session ended for every viewer: the wall's tiles showing it must say why and retry. */
  onStreamEnded?: (event: StreamEndedEvent) => void;
  /**
   * The platform ended the console's session (revoked or expired): the subscription has closed for good,
   * since reconnecting with the dead token would only be refused; the app goes to its login page.
   */
  onSessionEnded?: (reason: SessionEndedEvent['reason']) => void;
  onState?: (state: LiveConnectionState) => void;
  /** Called when the stream opens again after a gap, so missed changes can be fetched. */
  onResync?: () => void;
  createEventSource?: (url: string) => EventSourceLike;
  /** Back-off after the server closed the stream (EventSource itself retries transient failures). */
  maxRetryMs?: number;
}

const CLOSED = 2;

/** Parses one SSE message; bad messages are counted by the caller, never thrown. */
export function parseLiveEvent(type: LiveEventType, data: string): LiveEvent | null {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return null;
  }
  try {
    return type === 'device.status'
      ? { type, data: deviceStatusEvent(json) }
      : { type, data: channelStatusEvent(json) };
  } catch (error) {
    if (error instanceof DecodeError) return null;
    throw error;
  }
}

/** Parses a `stream.ended` message; null when it does not decode. */
export function parseStreamEnded(data: string): StreamEndedEvent | null {
  try {
    return streamEndedEvent(JSON.parse(data));
  } catch (error) {
    if (error instanceof DecodeError || error instanceof SyntaxError) return null;
    throw error;
  }
}

/** Parses a `session.ended` message; null when it does not decode. */
export function parseSessionEnded(data: string): SessionEndedEvent | null {
  try {
    return sessionEndedEvent(JSON.parse(data));
  } catch (error) {
    if (error instanceof DecodeError || error instanceof SyntaxError) return null;
    throw error;
  }
}

/**
 * A live subscription to `/api/v1/events` that survives the server going away: EventSource retries
 * transient failures itself; when it gives up (readyState CLOSED, e.g. the platform restarted and
 * answered an error) we open a new one with doubling back-off.
 */
export class LiveEventSubscription {
  #source: EventSourceLike | null = null;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #attempt = 0;
  #wasOpen = false;
  #closed = false;
  /** Messages dropped because they did not decode. */
  invalidMessages = 0;
  readonly #options: LiveEventSubscriptionOptions;

  constructor(options: LiveEventSubscriptionOptions) {
    this.#options = options;
    this.#connect();
  }

  #connect(): void {
    const create = this.#options.createEventSource ?? ((url: string) => new EventSource(url));
    this.#options.onState?.({ kind: 'connecting' });
    const source = create(this.#options.url());
    this.#source = source;
    source.onopen = () => {
      this.#attempt = 0;
      this.#options.onState?.({ kind: 'open', since: Date.now() });
      if (this.#wasOpen) this.#options.onResync?.();
      this.#wasOpen = true;
    };
    source.onerror = () => {
      if (this.#closed) return;
      if (source.readyState === CLOSED) {
        source.close();
        this.#scheduleReconnect();
      } else {
        this.#options.onState?.({ kind: 'reconnecting', attempt: this.#attempt + 1, retryInMs: 5000 });
      }
    };
    for (const type of LIVE_EVENT_TYPES) {
      source.addEventListener(type, (message) => {
        const event = parseLiveEvent(type, message.data);
        if (event) this.#options.onEvent(event);
        else this.invalidMessages += 1;
      });
    }
    source.addEventListener('stream.ended', (message) => {
      const event = parseStreamEnded(message.data);
      if (event) this.#options.onStreamEnded?.(event);
      else this.invalidMessages += 1;
    });
    source.addEventListener('session.ended', (message) => {
      const event = parseSessionEnded(message.data);
      if (!event) this.invalidMessages += 1;
      // Ended either way: the platform closes the stream after this and would refuse the token again.
      this.close();
      this.#options.onSessionEnded?.(event?.reason ?? 'revoked');
    });
  }

  #scheduleReconnect(): void {
    this.#attempt += 1;
    const retryInMs = Math.min(this.#options.maxRetryMs ?? 30_000, 1000 * 2 ** Math.min(this.#attempt, 5));
    this.#options.onState?.({ kind: 'reconnecting', attempt: this.#attempt, retryInMs });
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      if (!this.#closed) this.#connect();
    }, retryInMs);
  }

  /** Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#source?.close();
    this.#source = null;
    this.#options.onState?.({ kind: 'closed' });
  }
}
