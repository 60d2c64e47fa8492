import { describe, expect, it } from 'vitest';
import { decodeBody, decodeManscdp, encodeManscdp } from '../../../src/manscdp';

/**
 * Found by the fuzz stage (packages/gb28181/test/fuzz/manscdp.test.ts, seed 2, input 326): GB18030 four-byte sequences
 * whose first byte is 0xE4–0xFE lie past U+10FFFF (GB 18030 maps only 0x90308130–0xE3329A35 to the
 * supplementary planes), and iconv-lite decoded `FE 35 86 30` to two lone low surrogates instead of a
 * replacement character. That text is not Unicode: stored as UTF-8 it silently becomes U+FFFD, re-encoded for an
 * upper platform it becomes `??` — the platform would hold a name (or an ID) other than the one it decoded.
 */
const outsideUnicode = Buffer.from([0xfe, 0x35, 0x86, 0x30]);
const body = (inner: Buffer) =>
  Buffer.concat([
    Buffer.from(
      '<?xml version="1.0" encoding="GB2312"?>\r\n<Notify><CmdType>Keepalive</CmdType><SN>7</SN><DeviceID>3402000000132',
      'latin1',
    ),
    inner,
    Buffer.from('0000001</DeviceID><Status>OK</Status></Notify>', 'latin1'),
  ]);
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('regression: a GB18030 four-byte sequence outside Unicode', () => {
  it('decodes to U+FFFD, never to a lone surrogate', () => {
    const { text } = decodeBody(body(outsideUnicode));
    expect(text).not.toMatch(loneSurrogate);
    expect(text).toMatch(/3402000000132\uFFFD+0000001/);
  });

  it('what the decoder gives is what a re-encode and decode gives back', () => {
    const decoded = decodeManscdp(body(outsideUnicode)).message;
    expect(decodeManscdp(encodeManscdp(decoded)).message).toEqual(decoded);
  });

  it('a real four-byte character (U+20000, 0x95328236) still decodes as a surrogate pair', () => {
    const { text } = decodeBody(body(Buffer.from([0x95, 0x32, 0x82, 0x36])));
    expect(text).toContain('3402000000132\u{20000}0000001');
  });
});
