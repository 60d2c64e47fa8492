import type { ChannelId, StreamEndedEvent } from '../api/types';

export type StreamEndedListener = (event: StreamEndedEvent) => void;

/**
 * `stream.ended` from the live event stream, handed to whoever watches that channel (the wall's tiles). The
 * browser's own WebRTC connection may linger for seconds after the upstream is gone, so the platform's word is
 * what tells a tile why its picture froze.
 */
export class StreamEndings {
  readonly #listeners = new Map<ChannelId, Set<StreamEndedListener>>();

  emit(event: StreamEndedEvent): void {
    for (const listener of this.#listeners.get(event.channelId) ?? []) listener(event);
  }

  /** Listens for one channel's sessions ending; returns the unsubscribe. */
  watch(channelId: ChannelId, listener: StreamEndedListener): () => void {
    let set = this.#listeners.get(channelId);
    if (!set) {
      set = new Set();
      this.#listeners.set(channelId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#listeners.delete(channelId);
    };
  }
}
