import { leaves, optionalInt, optionalText, parseIntOrNull } from './fields';
import type { MessageCodec } from './message-codec';
import type { ManscdpHeader } from './message-header';
import { attributeOf, findChild, findChildren, type XmlElement, xmlElement } from './xml-element';

/**
 * Recording search (notes §1.5). DeviceID is the channel; times are local ISO-8601 without a zone
 * (`2024-01-01T00:00:00`), kept as sent because only the device's configuration knows its zone.
 */
export interface RecordInfoQuery extends ManscdpHeader {
  kind: 'record-info-query';
  startTime: string | null;
  endTime: string | null;
  filePath: string | null;
  address: string | null;
  secrecy: number | null;
  /** all / time / alarm / manual. */
  type: string | null;
  recorderId: string | null;
  indistinctQuery: string | null;
}

export interface RecordItem {
  deviceId: string;
  name: string | null;
  filePath: string | null;
  address: string | null;
  startTime: string;
  endTime: string;
  secrecy: number | null;
  type: string | null;
  recorderId: string | null;
  fileSize: number | null;
}

/** One packet of a recording list; multi-packet like Catalog (RecordInfoAggregator). */
export interface RecordInfoResponse extends ManscdpHeader {
  kind: 'record-info-response';
  name: string | null;
  sumNum: number | null;
  /** The RecordList Num attribute as sent (not trusted). Written as items.length. */
  listNum: number | null;
  items: RecordItem[];
  /** Items dropped because they had no StartTime or EndTime. */
  invalidItems: number;
}

export const recordInfoQueryCodec: MessageCodec<RecordInfoQuery> = {
  kind: 'record-info-query',
  root: 'Query',
  cmdType: 'RecordInfo',
  read: (element, header) => ({
    kind: 'record-info-query',
    ...header,
    startTime: optionalText(element, 'StartTime'),
    endTime: optionalText(element, 'EndTime'),
    filePath: optionalText(element, 'FilePath'),
    address: optionalText(element, 'Address'),
    secrecy: optionalInt(element, 'Secrecy'),
    type: optionalText(element, 'Type'),
    recorderId: optionalText(element, 'RecorderID'),
    indistinctQuery: optionalText(element, 'IndistinctQuery'),
  }),
  write: (message) =>
    leaves([
      ['StartTime', message.startTime],
      ['EndTime', message.endTime],
      ['FilePath', message.filePath],
      ['Address', message.address],
      ['Secrecy', message.secrecy],
      ['Type', message.type],
      ['RecorderID', message.recorderId],
      ['IndistinctQuery', message.indistinctQuery],
    ]),
};

export const recordInfoResponseCodec: MessageCodec<RecordInfoResponse> = {
  kind: 'record-info-response',
  root: 'Response',
  cmdType: 'RecordInfo',
  read(element, header) {
    const list = findChild(element, 'RecordList');
    const rawItems = list ? findChildren(list, 'Item') : [];
    const items = rawItems.flatMap((item) => readRecordItem(item, header.deviceId));
    return {
      kind: 'record-info-response',
      ...header,
      name: optionalText(element, 'Name'),
      sumNum: optionalInt(element, 'SumNum'),
      listNum: list ? parseIntOrNull(attributeOf(list, 'Num')) : null,
      items,
      invalidItems: rawItems.length - items.length,
    };
  },
  write(message) {
    const items = message.items.map(writeRecordItem);
    return [
      ...leaves([
        ['Name', message.name],
        ['SumNum', message.sumNum],
      ]),
      xmlElement('RecordList', items, { Num: String(items.length) }),
    ];
  },
};

/** DeviceID defaults to the response's channel when an item leaves it out. */
function readRecordItem(element: XmlElement, channelId: string): RecordItem[] {
  const startTime = optionalText(element, 'StartTime');
  const endTime = optionalText(element, 'EndTime');
  if (startTime === null || endTime === null) return [];
  return [
    {
      deviceId: optionalText(element, 'DeviceID') ?? channelId,
      name: optionalText(element, 'Name'),
      filePath: optionalText(element, 'FilePath'),
      address: optionalText(element, 'Address'),
      startTime,
      endTime,
      secrecy: optionalInt(element, 'Secrecy'),
      type: optionalText(element, 'Type'),
      recorderId: optionalText(element, 'RecorderID'),
      fileSize: optionalInt(element, 'FileSize'),
    },
  ];
}

export function writeRecordItem(item: RecordItem): XmlElement {
  return xmlElement(
    'Item',
    leaves([
      ['DeviceID', item.deviceId],
      ['Name', item.name],
      ['FilePath', item.filePath],
      ['Address', item.address],
      ['StartTime', item.startTime],
      ['EndTime', item.endTime],
      ['Secrecy', item.secrecy],
      ['Type', item.type],
      ['RecorderID', item.recorderId],
      ['FileSize', item.fileSize],
    ]),
  );
}
