import type { CatalogChange, CatalogItem } from '@tessera/contracts';
import { writeCatalogItem } from './catalog-item';
import { DEFAULT_CHARSET, encodeText } from './charset';
import { encodeManscdp } from './manscdp-encode';
import type { ManscdpMessage } from './manscdp-message';
import { DEFAULT_PACKET_BUDGET, packetize } from './packetize';
import { type RecordItem, writeRecordItem } from './record-info';
import { xmlElement, xmlLeaf } from './xml-element';
import { writeXml } from './xml-write';

/**
 * Encoders for the answers that a device (our simulator) or a lower platform (our cascade) splits over
 * several MESSAGEs: every body stays within the byte budget after charset encoding, SumNum is the total and
 * the list's Num is the count in that body (notes §1.4). The caller sends them in order, the next after the
 * previous one's 200 OK (or a short pause), all with the same SN.
 */
export interface MultiPacketOptions {
  sn: number;
  deviceId: string;
  charset?: string;
  /** Default 1300 bytes per body. */
  maxBytes?: number;
}

export function encodeCatalogResponses(
  opts: MultiPacketOptions & { items: readonly CatalogItem[] },
): Buffer[] {
  const charset = opts.charset ?? DEFAULT_CHARSET;
  return split(
    opts,
    opts.items,
    (item) => writeXml(writeCatalogItem(item)),
    (chunk) => ({
      kind: 'catalog-response',
      sn: opts.sn,
      deviceId: opts.deviceId,
      sumNum: opts.items.length,
      listNum: chunk.length,
      items: [...chunk],
      invalidItems: 0,
      result: null,
    }),
    charset,
  );
}

export function encodeCatalogNotifies(
  opts: MultiPacketOptions & { changes: readonly CatalogChange[] },
): Buffer[] {
  const charset = opts.charset ?? DEFAULT_CHARSET;
  const itemXml = (change: CatalogChange) =>
    writeXml(
      change.item
        ? writeCatalogItem(change.item, [xmlLeaf('Event', change.event)])
        : xmlElement('Item', [xmlLeaf('DeviceID', change.id), xmlLeaf('Event', change.event)]),
    );
  return split(
    opts,
    opts.changes,
    itemXml,
    (chunk) => ({
      kind: 'catalog-notify',
      sn: opts.sn,
      deviceId: opts.deviceId,
      sumNum: opts.changes.length,
      changes: [...chunk],
      invalidItems: 0,
    }),
    charset,
  );
}

export function encodeRecordInfoResponses(
  opts: MultiPacketOptions & { name?: string | null; items: readonly RecordItem[] },
): Buffer[] {
  const charset = opts.charset ?? DEFAULT_CHARSET;
  return split(
    opts,
    opts.items,
    (item) => writeXml(writeRecordItem(item)),
    (chunk) => ({
      kind: 'record-info-response',
      sn: opts.sn,
      deviceId: opts.deviceId,
      name: opts.name ?? null,
      sumNum: opts.items.length,
      listNum: chunk.length,
      items: [...chunk],
      invalidItems: 0,
    }),
    charset,
  );
}

function split<T>(
  opts: MultiPacketOptions,
  items: readonly T[],
  itemXml: (item: T) => string,
  message: (chunk: readonly T[]) => ManscdpMessage,
  charset: string,
): Buffer[] {
  const lineBreak = encodeText('\r\n', charset).length;
  return packetize({
    items,
    maxBytes: opts.maxBytes ?? DEFAULT_PACKET_BUDGET,
    itemBytes: (item) => encodeText(itemXml(item), charset).length + lineBreak,
    render: (chunk) => encodeManscdp(message(chunk), { charset }),
  });
}
