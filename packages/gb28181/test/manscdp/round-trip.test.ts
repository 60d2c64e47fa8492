import { describe, expect, it } from 'vitest';
import {
  decodeManscdp,
  encodeManscdp,
  MANSCDP_KINDS,
  manscdpXml,
  parseManscdpXml,
  type TypedManscdpMessage,
} from '../../src/manscdp';
import { catalogItem, SAMPLE_MESSAGES } from './fixtures/sample-messages';
import { WIRE_BODIES } from './fixtures/wire-bodies';

/** What a decoder reports for the list Num equals the items written. */
function normalised(message: TypedManscdpMessage): TypedManscdpMessage {
  if (message.kind === 'catalog-response') {
    const hasList = message.sumNum !== null || message.items.length > 0;
    return { ...message, listNum: hasList ? message.items.length : null };
  }
  if (message.kind === 'record-info-response') return { ...message, listNum: message.items.length };
  return message;
}

describe('encode → decode round trip', () => {
  it('covers every typed kind', () => {
    expect(new Set(SAMPLE_MESSAGES.map((m) => m.kind))).toEqual(new Set(Object.keys(MANSCDP_KINDS)));
  });

  describe.each(['GB2312', 'UTF-8', 'GB18030'])('in %s', (charset) => {
    it.each(SAMPLE_MESSAGES.map((m, i) => [`${i} ${m.kind}`, m] as const))('%s', (_name, message) => {
      const bytes = encodeManscdp(message, { charset });
      const decoded = decodeManscdp(bytes);
      expect(decoded.message).toEqual(normalised(message));
    });
  });

  it('writes root, CmdType, SN and DeviceID first', () => {
    const xml = manscdpXml(SAMPLE_MESSAGES[0]!);
    expect(xml).toBe(
      '<Notify>\r\n<CmdType>Keepalive</CmdType>\r\n<SN>17</SN>\r\n<DeviceID>34020000001180000001</DeviceID>\r\n<Status>OK</Status>\r\n</Notify>',
    );
  });
});

describe('decode → encode → decode of the real bodies', () => {
  it.each(WIRE_BODIES.map((b) => [b.name, b.bytes] as const))('%s', (_name, bytes) => {
    const first = decodeManscdp(bytes).message;
    const again = parseManscdpXml(manscdpXml(first));
    expect(again).toEqual(first.kind === 'unsupported' ? first : normalised(first));
  });

  it('writes unsupported messages back as received', () => {
    const xml =
      '<Notify><CmdType>MobilePosition</CmdType><SN>3</SN><DeviceID>1</DeviceID><Speed>2.5</Speed></Notify>';
    const message = parseManscdpXml(xml);
    expect(parseManscdpXml(manscdpXml(message))).toEqual(message);
  });
});

describe('round trip of random text through every charset', () => {
  /** Characters that stress escaping and charsets; whitespace only inside (values are trimmed on read). */
  const ALPHABET = [...'aZ09<>&"\'/=;#![]-_.海康摄像机大华东门𠮷㐀€䶮'];

  function randomText(next: () => number): string {
    const length = 1 + Math.floor(next() * 24);
    const chars = Array.from({ length }, () => ALPHABET[Math.floor(next() * ALPHABET.length)]!);
    if (length > 2) chars.splice(1 + Math.floor(next() * (length - 2)), 0, ' ');
    return chars.join('');
  }

  it.each(['GB2312', 'UTF-8'])('catalog items with hostile names and addresses in %s', (charset) => {
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let n = 0; n < 300; n++) {
      const message: TypedManscdpMessage = {
        kind: 'catalog-response',
        sn: n,
        deviceId: '34020000001180000001',
        sumNum: 1,
        listNum: 1,
        items: [catalogItem({ name: randomText(next), address: randomText(next), model: randomText(next) })],
        invalidItems: 0,
        result: null,
      };
      expect(decodeManscdp(encodeManscdp(message, { charset })).message).toEqual(message);
    }
  });
});
