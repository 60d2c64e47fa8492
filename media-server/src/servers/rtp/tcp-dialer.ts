import { connect, type Socket } from 'node:net';
import type { Clock, TimerHandle } from '@tessera/kit';

export interface TcpDialOptions {
  /** Local address to connect from (the bind host; 0.0.0.0 / :: = any). */
  readonly localHost: string;
  readonly remote: { readonly host: string; readonly port: number };
  readonly clock: Clock;
  readonly attempts: number;
  readonly retryDelayMs: number;
  readonly connectTimeoutMs: number;
}

export interface TcpDialCallbacks {
  /** Before each attempt (for stats). */
  attempt?(n: number): void;
  connected(socket: Socket): void;
  /** Every attempt failed. */
  failed(): void;
}

/**
 * Connects to a peer that may not listen yet, `attempts` times, `retryDelayMs` apart (a GB/T 28181 peer starts
 * listening a moment after its SDP; 2022 Annex D asks for ≥1 s between tries). Shared by the TCP active ingest
 * (we pull from a device) and the TCP active egress (we push to an upper platform). Returns a cancel function
 * (idempotent): after it, no callback is called and a pending socket is destroyed.
 */
export function dialTcp(options: TcpDialOptions, callbacks: TcpDialCallbacks): () => void {
  const { clock } = options;
  let timer: TimerHandle | undefined;
  let pending: Socket | undefined;
  let cancelled = false;
  const local = options.localHost === '0.0.0.0' || options.localHost === '::' ? undefined : options.localHost;

  const attempt = (n: number) => {
    if (cancelled) return;
    callbacks.attempt?.(n);
    const socket = connect({ host: options.remote.host, port: options.remote.port, localAddress: local });
    pending = socket;
    let settled = false;
    const fail = () => {
      if (settled) return;
      settled = true;
      pending = undefined;
      if (timer) clock.clearTimeout(timer);
      socket.destroy();
      if (cancelled) return;
      if (n >= options.attempts) {
        cancelled = true;
        callbacks.failed();
        return;
      }
      timer = clock.setTimeout(() => attempt(n + 1), options.retryDelayMs);
    };
    timer = clock.setTimeout(fail, options.connectTimeoutMs);
    socket.once('error', fail);
    socket.once('connect', () => {
      if (settled) return;
      settled = true;
      pending = undefined;
      if (timer) clock.clearTimeout(timer);
      socket.removeListener('error', fail);
      cancelled = true;
      callbacks.connected(socket);
    });
  };

  attempt(1);
  return () => {
    if (cancelled) return;
    cancelled = true;
    if (timer) clock.clearTimeout(timer);
    timer = undefined;
    pending?.destroy();
    pending = undefined;
  };
}
