import type { CatalogItem } from '@tessera/contracts';
import type { CatalogResponse } from './catalog';
import {
  type AcceptOutcome,
  type AggregatedResult,
  type AggregatorOptions,
  MultiPacketCollector,
} from './multi-packet-collector';

export type CatalogResult = AggregatedResult<CatalogItem>;

/**
 * Catalog answers put together per (device, SN); items are unique by DeviceID. A Result-only answer (the
 * body a device may put in its SUBSCRIBE 200) carries no catalog and is 'ignored'.
 */
export class CatalogAggregator {
  readonly #collector: MultiPacketCollector<CatalogItem>;

  constructor(opts: AggregatorOptions<CatalogItem>) {
    this.#collector = new MultiPacketCollector({ ...opts, itemKey: (item) => item.id });
  }

  get pendingCount(): number {
    return this.#collector.pendingCount;
  }

  /** Call before sending the Catalog query with this SN. */
  expect(deviceId: string, sn: number): Promise<CatalogResult> {
    return this.#collector.expect(deviceId, sn);
  }

  accept(message: CatalogResponse): AcceptOutcome | 'ignored' {
    if (message.sumNum === null && message.listNum === null && message.items.length === 0) return 'ignored';
    return this.#collector.accept(message);
  }

  close(): void {
    this.#collector.close();
  }
}
