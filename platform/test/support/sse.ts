export interface SseMessage {
  event: string;
  data: string;
}

/** A minimal Server-Sent Events client over fetch: frames are parsed as they arrive. */
export class SseClient {
  readonly #frames: Array<SseMessage | { comment: string }> = [];
  readonly #waiters = new Set<() => void>();
  readonly #abort = new AbortController();
  #ended = false;

  private constructor(readonly status: number) {}

  static async open(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const client = new SseClient(0);
    const response = await fetch(url, { headers, signal: client.#abort.signal });
    const opened = new SseClient(response.status);
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      return opened;
    }
    opened.#pump(response.body).catch(() => opened.#end());
    return opened;
  }

  async #pump(body: ReadableStream<Uint8Array>): Promise<void> {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      if (this.#abort.signal.aborted) break;
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let index = buffer.indexOf('\n\n');
      while (index >= 0) {
        this.#parse(buffer.slice(0, index));
        buffer = buffer.slice(index + 2);
        index = buffer.indexOf('\n\n');
      }
    }
    this.#end();
  }

  #parse(frame: string): void {
    let event = 'message';
    const data: string[] = [];
    for (const line of frame.split('\n')) {
      if (line.startsWith(':')) {
        this.#frames.push({ comment: line.slice(1).trim() });
      } else if (line.startsWith('event:')) {
        event = line.slice(6).trim();
      } else if (line.startsWith('data:')) {
        data.push(line.slice(5).trim());
      }
    }
    if (data.length > 0) this.#frames.push({ event, data: data.join('\n') });
    for (const wake of this.#waiters) wake();
  }

  #end(): void {
    this.#ended = true;
    for (const wake of this.#waiters) wake();
  }

  get ended(): boolean {
    return this.#ended;
  }

  messages(): SseMessage[] {
    return this.#frames.filter((f): f is SseMessage => 'event' in f);
  }

  comments(): string[] {
    return this.#frames.flatMap((f) => ('comment' in f ? [f.comment] : []));
  }

  /** Resolves when `predicate` holds over what was received; rejects at the deadline or on end of stream. */
  async until<T>(what: string, predicate: () => T | undefined, timeoutMs = 5_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = predicate();
      if (value !== undefined) return value;
      if (this.#ended) throw new Error(`stream ended while waiting for ${what}`);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.#waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, remaining);
        this.#waiters.add(wake);
      });
    }
  }

  event<T>(name: string, match: (data: T) => boolean = () => true): T | undefined {
    for (const m of this.messages()) {
      if (m.event !== name) continue;
      const data = JSON.parse(m.data) as T;
      if (match(data)) return data;
    }
    return undefined;
  }

  close(): void {
    this.#abort.abort();
  }
}
