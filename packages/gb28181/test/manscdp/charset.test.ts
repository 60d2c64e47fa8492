import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeBody, encodeBody, ManscdpEncodeError, ManscdpParseError } from '../../src/manscdp';
import { DAHUA_ALARM, DAHUA_NVR_CATALOG, latin1 } from './fixtures/wire-bodies';

const declared = (encoding: string, inner: string) =>
  `<?xml version="1.0" encoding="${encoding}"?>\r\n<Name>${inner}</Name>`;

describe('decodeBody', () => {
  it.each([
    ['1.64 º£¿µÉãÏñ»ú', '1.64 海康摄像机'],
    ['´ó»ª1.107', '大华1.107'],
    ['ÊÓÆµ¶¯¼ì', '视频动检'],
  ])('recovers GB2312 bytes quoted as Latin-1 mojibake: %s → %s', (mojibake, expected) => {
    const { text, charset } = decodeBody(latin1(declared('GB2312', mojibake)));
    expect(charset).toBe('gb18030');
    expect(text).toContain(`<Name>${expected}</Name>`);
  });

  it('reads the real Dahua packets and alarm', () => {
    expect(decodeBody(DAHUA_NVR_CATALOG[3]!).text).toContain('<Name>1.64 海康摄像机</Name>');
    expect(decodeBody(DAHUA_ALARM).text).toContain('<AlarmDescription>视频动检</AlarmDescription>');
  });

  it.each([
    ['GB2312', 'gb18030'],
    ['gbk', 'gb18030'],
    ['GB18030', 'gb18030'],
    ['UTF-8', 'utf-8'],
    ['utf8', 'utf-8'],
    ['ISO-8859-1', 'iso-8859-1'],
    ['x-made-up', 'gb18030'],
    ['UTF-16', 'gb18030'],
    ['base64', 'gb18030'],
  ])('pure ASCII declared %s is read as %s', (encoding, charset) => {
    expect(decodeBody(Buffer.from(declared(encoding, 'abc'))).charset).toBe(charset);
  });

  it('prefers UTF-8 when GB2312 is declared but the bytes are UTF-8 with non-ASCII', () => {
    const { text, charset } = decodeBody(Buffer.from(declared('GB2312', '海康摄像机'), 'utf8'));
    expect(charset).toBe('utf-8');
    expect(text).toContain('海康摄像机');
  });

  it('reads GBK bytes as GB18030 when UTF-8 is declared but the bytes are not UTF-8', () => {
    const { text, charset } = decodeBody(iconv.encode(declared('UTF-8', '东门球机'), 'gbk'));
    expect(charset).toBe('gb18030');
    expect(text).toContain('东门球机');
  });

  it('defaults to GB18030 without a declaration', () => {
    const { text, charset } = decodeBody(iconv.encode('<Name>东门</Name>', 'gb18030'));
    expect([charset, text]).toEqual(['gb18030', '<Name>东门</Name>']);
  });

  it('reads GB18030-only characters (4-byte sequences) declared as GB2312', () => {
    const name = '𠮷㐀€䶮';
    const { text } = decodeBody(iconv.encode(declared('GB2312', name), 'gb18030'));
    expect(text).toContain(name);
  });

  it('lets a per-device override win over the declaration and over UTF-8 sniffing', () => {
    const gbkBytes = iconv.encode(declared('UTF-8', '东门'), 'gbk');
    expect(decodeBody(gbkBytes, { override: 'GBK' })).toMatchObject({ charset: 'gb18030' });
    const utf8Bytes = Buffer.from(declared('GB2312', '东门'), 'utf8');
    const forced = decodeBody(utf8Bytes, { override: 'gb18030' });
    expect(forced.charset).toBe('gb18030');
    expect(forced.text).not.toContain('东门');
  });

  it('strips a UTF-8 BOM', () => {
    const bytes = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(declared('UTF-8', '东'), 'utf8'),
    ]);
    expect(decodeBody(bytes).text.startsWith('<?xml')).toBe(true);
  });

  it('rejects an unknown override with a typed error', () => {
    expect(() => decodeBody(Buffer.from('<a/>'), { override: 'klingon' })).toThrow(ManscdpParseError);
  });
});

describe('encodeBody', () => {
  it('writes a GB2312 declaration and GB18030 bytes by default', () => {
    const bytes = encodeBody('<Name>1.64 海康摄像机</Name>');
    expect(bytes.toString('latin1')).toBe(
      '<?xml version="1.0" encoding="GB2312"?>\r\n<Name>1.64 º£¿µÉãÏñ»ú</Name>',
    );
  });

  it('keeps characters outside GB2312 by writing GB18030 bytes', () => {
    const bytes = encodeBody('<Name>𠮷㐀</Name>', 'gb2312');
    expect(decodeBody(bytes).text).toContain('𠮷㐀');
  });

  it.each([
    ['utf-8', 'UTF-8'],
    ['GBK', 'GBK'],
    ['gb18030', 'GB18030'],
    ['gb2312', 'GB2312'],
  ])('declares %s as %s and decodes back', (charset, declaredName) => {
    const bytes = encodeBody('<?xml version="1.0" encoding="whatever"?>\n<Name>东门</Name>', charset);
    const text = bytes.toString('latin1');
    expect(text.startsWith(`<?xml version="1.0" encoding="${declaredName}"?>\r\n<Name>`)).toBe(true);
    expect(text.match(/<\?xml/g)).toHaveLength(1);
    expect(decodeBody(bytes).text).toContain('<Name>东门</Name>');
  });

  it('is what Content-Length must count: bytes, not characters', () => {
    const xml = '<Name>东门</Name>';
    const utf8Declaration = '<?xml version="1.0" encoding="UTF-8"?>\r\n';
    const gbDeclaration = '<?xml version="1.0" encoding="GB2312"?>\r\n';
    expect(encodeBody(xml, 'utf-8').length).toBe(utf8Declaration.length + 6 + 2 * 3 + 7);
    expect(encodeBody(xml).length).toBe(gbDeclaration.length + 6 + 2 * 2 + 7);
  });

  it('rejects an unknown charset with a typed error', () => {
    expect(() => encodeBody('<a/>', 'klingon')).toThrow(ManscdpEncodeError);
  });
});
