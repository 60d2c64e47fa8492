import type { Bus, CatalogChange, CatalogItem, SharedEntry } from '@tessera/contracts';
import type { Logger } from '@tessera/kit';

export interface SharedCatalogsOptions {
  bus: Pick<Bus, 'request'>;
  logger: Logger;
  /** Deadline of `cascade.shared-catalog` (default 5 s). */
  timeoutMs?: number;
}

/** A local channel, as the inventory names it. */
export interface LocalChannel {
  deviceId: string;
  channelId: string;
}

/**
 * What one upper may see, with both directions of the ID remapping: the ID the upper uses ↔ the local
 * {deviceId, channelId}. Structural nodes (civil code, 215, 216) have no local side.
 */
export class SharedCatalog {
  readonly upperId: string;
  readonly #entries: SharedEntry[];
  readonly #byRemote = new Map<string, SharedEntry>();
  readonly #byLocal = new Map<string, SharedEntry[]>();

  constructor(upperId: string, entries: readonly SharedEntry[]) {
    this.upperId = upperId;
    this.#entries = [...entries];
    for (const entry of this.#entries) this.#index(entry);
  }

  get entries(): readonly SharedEntry[] {
    return this.#entries;
  }

  /** Entries that stand for a local channel (what an upper can play). */
  get channelCount(): number {
    return this.#entries.filter((entry) => entry.local !== null).length;
  }

  byRemote(id: string): SharedEntry | undefined {
    return this.#byRemote.get(id);
  }

  /** The entries that show this local channel: normally one; a channel shared twice under two IDs gives two. */
  byLocal(local: LocalChannel): SharedEntry[] {
    return this.#byLocal.get(localKey(local)) ?? [];
  }

  /** Replaces an entry's item in place (after a NOTIFY told the upper about it), keeping the upper's ID. */
  replaceItem(remoteId: string, item: CatalogItem): void {
    const entry = this.#byRemote.get(remoteId);
    if (entry) entry.item = item;
  }

  #index(entry: SharedEntry): void {
    this.#byRemote.set(entry.item.id, entry);
    if (entry.local === null) return;
    const key = localKey(entry.local);
    const list = this.#byLocal.get(key);
    if (list) list.push(entry);
    else this.#byLocal.set(key, [entry]);
  }
}

/**
 * Per-upper cache of the shared catalog. Fetched from the platform on first use and on every Catalog query from the
 * upper (the upper asking is the moment it must be right), dropped on `cascade.shares-changed`. Concurrent users
 * share one fetch.
 */
export class SharedCatalogs {
  readonly #o: SharedCatalogsOptions;
  readonly #cache = new Map<string, SharedCatalog>();
  readonly #fetching = new Map<string, Promise<SharedCatalog>>();

  constructor(options: SharedCatalogsOptions) {
    this.#o = options;
  }

  cached(upperId: string): SharedCatalog | undefined {
    return this.#cache.get(upperId);
  }

  /** The cached catalog, fetching it when there is none. Rejects when the platform cannot answer. */
  get(upperId: string): Promise<SharedCatalog> {
    const cached = this.#cache.get(upperId);
    return cached ? Promise.resolve(cached) : this.refresh(upperId);
  }

  /** Fetches now (joining a fetch already running) and caches the result. */
  refresh(upperId: string): Promise<SharedCatalog> {
    const running = this.#fetching.get(upperId);
    if (running) return running;
    const fetch = this.#o.bus
      .request('cascade.shared-catalog', { upperId }, { timeoutMs: this.#o.timeoutMs ?? 5_000 })
      .then(({ entries }) => {
        const catalog = new SharedCatalog(upperId, entries);
        this.#cache.set(upperId, catalog);
        return catalog;
      })
      .finally(() => this.#fetching.delete(upperId));
    this.#fetching.set(upperId, fetch);
    return fetch;
  }

  /** Forgets one upper's catalog, or every one (null). */
  invalidate(upperId: string | null): void {
    if (upperId === null) this.#cache.clear();
    else this.#cache.delete(upperId);
  }
}

/**
 * What changed between the catalog an upper was given and the current one, as catalog NOTIFY changes: entries that
 * appeared (ADD, full item), disappeared (DEL) or whose description changed (UPDATE, full item). Status flips are
 * not here: `inventory.channel-changed` sends those as ON/OFF/VLOST when they happen.
 */
export function diffCatalogs(before: SharedCatalog, after: SharedCatalog): CatalogChange[] {
  const changes: CatalogChange[] = [];
  for (const entry of after.entries) {
    const old = before.byRemote(entry.item.id);
    if (!old) changes.push({ id: entry.item.id, event: 'ADD', item: entry.item });
    else if (describedDifferently(old.item, entry.item)) {
      changes.push({ id: entry.item.id, event: 'UPDATE', item: entry.item });
    }
  }
  for (const entry of before.entries) {
    if (!after.byRemote(entry.item.id)) changes.push({ id: entry.item.id, event: 'DEL', item: null });
  }
  return changes;
}

function describedDifferently(a: CatalogItem, b: CatalogItem): boolean {
  return (
    a.name !== b.name ||
    a.civilCode !== b.civilCode ||
    a.parentId !== b.parentId ||
    a.address !== b.address ||
    a.longitude !== b.longitude ||
    a.latitude !== b.latitude ||
    a.ptzType !== b.ptzType
  );
}

function localKey(local: LocalChannel): string {
  return `${local.deviceId}/${local.channelId}`;
}
