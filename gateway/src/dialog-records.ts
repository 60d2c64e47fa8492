import type { KeyValueStore } from '@tessera/contracts';
import { type DialogId, type DialogPersistence, type DialogRecord, parseDialogRecord } from '@tessera/sip';

/**
 * How long a dialog record outlives its last change. A record is deleted when its dialog ends; this only bounds what
 * a replica that died with open dialogs leaves behind. A play call quiet for longer than this can no longer be
 * ended from another replica (the device's own BYE or its going offline still ends it).
 */
const RECORD_TTL_SEC = 86_400;

/**
 * The SIP dialogs of this gateway in the key/value store (Redis in production) under
 * `<prefix>:dialog:<Call-ID>:<local tag>:<remote tag>`, so that another replica sharing the prefix can end or
 * continue them (`gateway.bye` for a call it did not place). Values are `DialogRecord` JSON, parsed back with its
 * schema: a key another version wrote is an error to report, not a dialog.
 */
export class KeyValueDialogRecords implements DialogPersistence {
  readonly #store: KeyValueStore;
  readonly #prefix: string;

  constructor(store: KeyValueStore, prefix: string) {
    this.#store = store;
    this.#prefix = `${prefix}:dialog:`;
  }

  save(record: DialogRecord): Promise<void> {
    return this.#store.set(this.#key(record), JSON.stringify(record), RECORD_TTL_SEC);
  }

  delete(id: DialogId): Promise<void> {
    return this.#store.delete(this.#key(id));
  }

  async load(callId: string): Promise<DialogRecord[]> {
    const records: DialogRecord[] = [];
    for (const key of await this.#store.keys(`${this.#prefix}${callId}:`)) {
      const value = await this.#store.get(key);
      if (value === null) continue; // ended meanwhile
      const record = parseDialogRecord(JSON.parse(value));
      // A Call-ID with a colon in it shares its prefix with a shorter one.
      if (record.callId === callId) records.push(record);
    }
    return records;
  }

  /**
   * Every record whose application data matches (an upper link's relays and subscriptions, at its takeover). Reads
   * all dialog keys of the prefix, play calls included: once per takeover, not per request.
   */
  async loadWhere(matches: (data: Readonly<Record<string, string>>) => boolean): Promise<DialogRecord[]> {
    const records: DialogRecord[] = [];
    for (const key of await this.#store.keys(this.#prefix)) {
      const value = await this.#store.get(key);
      if (value === null) continue; // ended meanwhile
      const record = parseDialogRecord(JSON.parse(value));
      if (matches(record.data)) records.push(record);
    }
    return records;
  }

  #key(id: DialogId): string {
    return `${this.#prefix}${id.callId}:${id.localTag ?? ''}:${id.remoteTag ?? ''}`;
  }
}
