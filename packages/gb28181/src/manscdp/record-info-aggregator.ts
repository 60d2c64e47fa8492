import {
  type AcceptOutcome,
  type AggregatedResult,
  type AggregatorOptions,
  MultiPacketCollector,
} from './multi-packet-collector';
import type { RecordInfoResponse, RecordItem } from './record-info';

export type RecordInfoResult = AggregatedResult<RecordItem>;

/** A recording is the same recording when channel, times, file and type agree. */
export function recordItemKey(item: RecordItem): string {
  return JSON.stringify([item.deviceId, item.startTime, item.endTime, item.filePath, item.type]);
}

/** RecordInfo answers put together per (channel, SN), exactly like catalogs. */
export class RecordInfoAggregator {
  readonly #collector: MultiPacketCollector<RecordItem>;

  constructor(opts: AggregatorOptions<RecordItem>) {
    this.#collector = new MultiPacketCollector({ ...opts, itemKey: recordItemKey });
  }

  get pendingCount(): number {
    return this.#collector.pendingCount;
  }

  /** Call before sending the RecordInfo query with this SN; deviceId is the channel queried. */
  expect(deviceId: string, sn: number): Promise<RecordInfoResult> {
    return this.#collector.expect(deviceId, sn);
  }

  accept(message: RecordInfoResponse): AcceptOutcome {
    return this.#collector.accept(message);
  }

  close(): void {
    this.#collector.close();
  }
}
