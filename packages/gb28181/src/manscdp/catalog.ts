import { type CatalogChange, CatalogEventType, type CatalogItem } from '@tessera/contracts';
import { readCatalogItem, writeCatalogItem } from './catalog-item';
import { leaves, optionalInt, optionalText, parseIntOrNull } from './fields';
import type { MessageCodec } from './message-codec';
import type { ManscdpHeader } from './message-header';
import { attributeOf, findChild, findChildren, type XmlElement, xmlElement, xmlLeaf } from './xml-element';

/** Platform → device catalog query (notes §1.4); 2016 allows a StartTime/EndTime window. */
export interface CatalogQuery extends ManscdpHeader {
  kind: 'catalog-query';
  startTime: string | null;
  endTime: string | null;
}

/**
 * One packet of a catalog response. A device splits its catalog over several of these with the same SN;
 * CatalogAggregator puts them together. A SUBSCRIBE answer is a Catalog response with only a Result.
 */
export interface CatalogResponse extends ManscdpHeader {
  kind: 'catalog-response';
  /** Items in the whole catalog, over all packets; null when absent. */
  sumNum: number | null;
  /** The DeviceList Num attribute as sent (often wrong; not trusted). Written as items.length. */
  listNum: number | null;
  items: CatalogItem[];
  /** Items dropped because they had no DeviceID. */
  invalidItems: number;
  result: string | null;
}

/** Catalog subscription NOTIFY: changes with ON/OFF/VLOST/DEFECT/ADD/DEL/UPDATE events (notes §1.4). */
export interface CatalogNotify extends ManscdpHeader {
  kind: 'catalog-notify';
  sumNum: number | null;
  changes: CatalogChange[];
  /** Items dropped because they had no DeviceID or an unknown Event. */
  invalidItems: number;
}

export const catalogQueryCodec: MessageCodec<CatalogQuery> = {
  kind: 'catalog-query',
  root: 'Query',
  cmdType: 'Catalog',
  read: (element, header) => ({
    kind: 'catalog-query',
    ...header,
    startTime: optionalText(element, 'StartTime'),
    endTime: optionalText(element, 'EndTime'),
  }),
  write: (message) =>
    leaves([
      ['StartTime', message.startTime],
      ['EndTime', message.endTime],
    ]),
};

export const catalogResponseCodec: MessageCodec<CatalogResponse> = {
  kind: 'catalog-response',
  root: 'Response',
  cmdType: 'Catalog',
  read(element, header) {
    const list = findChild(element, 'DeviceList');
    const rawItems = list ? findChildren(list, 'Item') : [];
    const items = rawItems.map(readCatalogItem).filter((i): i is CatalogItem => i !== null);
    return {
      kind: 'catalog-response',
      ...header,
      sumNum: optionalInt(element, 'SumNum'),
      listNum: list ? parseIntOrNull(attributeOf(list, 'Num')) : null,
      items,
      invalidItems: rawItems.length - items.length,
      result: optionalText(element, 'Result'),
    };
  },
  write(message) {
    const hasList = message.sumNum !== null || message.items.length > 0;
    const list = message.items.map((item) => writeCatalogItem(item));
    return [
      ...leaves([['SumNum', message.sumNum]]),
      ...(hasList ? [deviceList(list)] : []),
      ...leaves([['Result', message.result]]),
    ];
  },
};

export const catalogNotifyCodec: MessageCodec<CatalogNotify> = {
  kind: 'catalog-notify',
  root: 'Notify',
  cmdType: 'Catalog',
  read(element, header) {
    const list = findChild(element, 'DeviceList');
    const rawItems = list ? findChildren(list, 'Item') : [];
    const changes = rawItems.map(readCatalogChange).filter((c): c is CatalogChange => c !== null);
    return {
      kind: 'catalog-notify',
      ...header,
      sumNum: optionalInt(element, 'SumNum'),
      changes,
      invalidItems: rawItems.length - changes.length,
    };
  },
  write: (message) => [
    ...leaves([['SumNum', message.sumNum]]),
    deviceList(message.changes.map(writeCatalogChange)),
  ],
};

function deviceList(items: XmlElement[]): XmlElement {
  return xmlElement('DeviceList', items, { Num: String(items.length) });
}

/** ADD/UPDATE carry the full item; the other events only DeviceID + Event. */
function readCatalogChange(element: XmlElement): CatalogChange | null {
  const id = optionalText(element, 'DeviceID');
  const event = CatalogEventType.safeParse(optionalText(element, 'Event')?.toUpperCase());
  if (id === null || !event.success) return null;
  const full = event.data === 'ADD' || event.data === 'UPDATE';
  return { id, event: event.data, item: full ? readCatalogItem(element) : null };
}

function writeCatalogChange(change: CatalogChange): XmlElement {
  const event = xmlLeaf('Event', change.event);
  if (change.item) return writeCatalogItem(change.item, [event]);
  return xmlElement('Item', [xmlLeaf('DeviceID', change.id), event]);
}
