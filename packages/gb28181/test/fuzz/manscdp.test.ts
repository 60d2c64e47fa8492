import { fuzz, Mutator } from '@tessera/testkit';
import { describe, expect, it } from 'vitest';
import { decodeManscdp, encodeManscdp, type ManscdpMessage, ManscdpParseError } from '../../src/manscdp';
import { WIRE_BODIES } from '../manscdp/fixtures/wire-bodies';

/**
 * Fuzz stage, MANSCDP (GB/T 28181 Annex A XML bodies): mutations of the wire bodies — real device messages in
 * GB2312, wvp's and Dahua's shapes — through the decoder.
 */
const mutator = new Mutator({
  corpus: WIRE_BODIES.map((body) => body.bytes),
  tokens: [
    '<',
    '>',
    '</',
    '/>',
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<?xml version="1.0" encoding="x-unknown"?>',
    '<!--',
    '-->',
    '<![CDATA[',
    ']]>',
    '<!DOCTYPE a [<!ENTITY x "xxxxxxxx">]>',
    '&x;',
    '&amp;',
    '&#0;',
    '&#x110000;',
    '<Item>',
    '</Item>',
    '<DeviceList Num="4294967296">',
    '<SumNum>-1</SumNum>',
    '<SN>99999999999999999999</SN>',
    '<CmdType>Catalog</CmdType>',
    '<CmdType>RecordInfo</CmdType>',
    '<PTZCmd>A50F01',
    '"',
    "'",
    '\u0000',
  ],
});

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function normalized(message: ManscdpMessage): ManscdpMessage {
  const out: Record<string, unknown> = { ...message };
  if ('items' in message && Array.isArray(message.items)) {
    if ('listNum' in out) out.listNum = message.items.length;
    if ('invalidItems' in out) out.invalidItems = 0;
  }
  return out as unknown as ManscdpMessage;
}

describe('fuzz: MANSCDP', () => {
  it('decodeManscdp: only ManscdpParseError escapes; what decodes encodes and decodes again', () => {
    const report = fuzz({
      target: 'manscdp decode',
      mutator,
      iterations: 3_000,
      run: (input) => {
        let decoded: ReturnType<typeof decodeManscdp>;
        try {
          decoded = decodeManscdp(input);
        } catch (error) {
          if (error instanceof ManscdpParseError) return 'rejected';
          throw error;
        }
        // Unicode only: a lone surrogate would be stored as U+FFFD and sent on as '?' (issue/gb18030-four-byte-…).
        JSON.stringify(decoded.message, (_key, value: unknown) => {
          if (typeof value === 'string' && LONE_SURROGATE.test(value)) {
            throw new Error(`decoded text holds a lone surrogate: ${JSON.stringify(value)}`);
          }
          return value;
        });
        // Re-encoded, it decodes to the same message — but for what the decoder counts rather than keeps: the
        // encoder writes the Num it really sends, and dropped items (counted) are not sent.
        const again = decodeManscdp(encodeManscdp(decoded.message));
        expect(again.message).toEqual(normalized(decoded.message));
        return 'accepted';
      },
    });
    expect(report.accepted).toBeGreaterThan(0);
    expect(report.rejected).toBeGreaterThan(0);
  });
});
