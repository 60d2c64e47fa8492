import type { SipRequest } from '../message/message';
import { Dialog, type DialogId } from './dialog';
import type { DialogRecord } from './dialog-record';
import { readTag } from './in-dialog-request';

/**
 * Where dialog records survive this process (the gateway backs it with its key/value store, i.e. Redis), so that
 * another replica can end or continue a dialog. Records are parsed with `parseDialogRecord` on the way back in.
 */
export interface DialogPersistence {
  save(record: DialogRecord): Promise<void>;
  delete(id: DialogId): Promise<void>;
  /** Every record kept for a Call-ID (usually one; a forked INVITE could give several). */
  load(callId: string): Promise<DialogRecord[]>;
}

export interface DialogStoreOptions {
  persistence?: DialogPersistence;
  /** A record that could not be written or deleted (the dialog itself goes on in memory). */
  onPersistError?: (error: unknown, id: DialogId) => void;
}

/**
 * The dialogs this process holds, keyed by the dialog ID (RFC 3261 §12: Call-ID, local tag, remote tag), with an
 * optional persistence hook that mirrors every change to a shared store. An incoming request is matched with the
 * ID seen from our side (§12.2.2): its Call-ID, its To-tag as our local tag, its From-tag as the remote tag. A
 * dialog whose remote tag is unknown (a 2xx without a To-tag, srs-bench) is matched on Call-ID and our tag alone.
 */
export class DialogStore {
  readonly #byLocal = new Map<string, Dialog[]>();
  readonly #persistence: DialogPersistence | undefined;
  readonly #onPersistError: (error: unknown, id: DialogId) => void;

  constructor(options: DialogStoreOptions = {}) {
    this.#persistence = options.persistence;
    this.#onPersistError = options.onPersistError ?? (() => undefined);
  }

  /** Dialogs held in memory. */
  get size(): number {
    let count = 0;
    for (const list of this.#byLocal.values()) count += list.length;
    return count;
  }

  get persistent(): boolean {
    return this.#persistence !== undefined;
  }

  /** Holds the dialog (and writes its record, and again whenever it changes). Adding it twice is harmless. */
  add(dialog: Dialog): void {
    const key = localKey(dialog.callId, dialog.localTag);
    const list = this.#byLocal.get(key);
    if (list?.includes(dialog)) return;
    if (list) list.push(dialog);
    else this.#byLocal.set(key, [dialog]);
    if (this.#persistence) {
      dialog.watch(() => this.#save(dialog));
      this.#save(dialog);
    }
  }

  /** Forgets the dialog here only: its persisted record stays for another replica. Idempotent. */
  release(dialog: Dialog): void {
    dialog.watch(undefined);
    const key = localKey(dialog.callId, dialog.localTag);
    const rest = (this.#byLocal.get(key) ?? []).filter((held) => held !== dialog);
    if (rest.length === 0) this.#byLocal.delete(key);
    else this.#byLocal.set(key, rest);
  }

  /** Forgets the dialog here and in the persisted store. Idempotent; works for a dialog loaded from a record too. */
  remove(dialog: Dialog): void {
    dialog.watch(undefined);
    const key = localKey(dialog.callId, dialog.localTag);
    const list = this.#byLocal.get(key);
    if (list) {
      const rest = list.filter((held) => held !== dialog);
      if (rest.length === 0) this.#byLocal.delete(key);
      else this.#byLocal.set(key, rest);
    }
    this.#persistence?.delete(dialog).catch((error: unknown) => this.#onPersistError(error, dialog));
  }

  /** The dialog with this ID, held in memory; a null remote tag on either side is not held against a match. */
  find(id: DialogId): Dialog | undefined {
    const list = this.#byLocal.get(localKey(id.callId, id.localTag));
    if (!list) return undefined;
    return (
      list.find((dialog) => dialog.remoteTag === id.remoteTag) ??
      list.find((dialog) => dialog.remoteTag === null || id.remoteTag === null)
    );
  }

  /** The dialog a request from the other side belongs to: Call-ID, To-tag = our tag, From-tag = theirs. */
  match(request: SipRequest): Dialog | undefined {
    const localTag = readTag(request.headers.get('To') ?? '');
    if (localTag === null) return undefined;
    return this.find({
      callId: request.headers.get('Call-ID') ?? '',
      localTag,
      remoteTag: readTag(request.headers.get('From') ?? ''),
    });
  }

  /** Dialogs held in memory with this Call-ID. */
  byCallId(callId: string): Dialog[] {
    const found: Dialog[] = [];
    for (const list of this.#byLocal.values()) {
      for (const dialog of list) if (dialog.callId === callId) found.push(dialog);
    }
    return found;
  }

  /**
   * Dialogs with this Call-ID: those held here, else those another replica persisted (not held here until `add`ed).
   * Rejects when the persisted store cannot be read or holds a record that is not a dialog.
   */
  async load(callId: string): Promise<Dialog[]> {
    const held = this.byCallId(callId);
    if (held.length > 0 || !this.#persistence) return held;
    return (await this.#persistence.load(callId)).map((record) => Dialog.fromRecord(record));
  }

  /** Drops every dialog held in memory; persisted records stay for another replica. */
  clear(): void {
    for (const list of this.#byLocal.values()) for (const dialog of list) dialog.watch(undefined);
    this.#byLocal.clear();
  }

  #save(dialog: Dialog): void {
    this.#persistence?.save(dialog.toRecord()).catch((error: unknown) => this.#onPersistError(error, dialog));
  }
}

function localKey(callId: string, localTag: string | null): string {
  return `${callId}\n${localTag ?? ''}`;
}
