import { describe, expect, it } from 'vitest';
import {
  attributeOf,
  childText,
  findChild,
  ManscdpParseError,
  type ManscdpParseReason,
  MAX_XML_DEPTH,
  parseXml,
  sanitizeXml,
  writeXml,
  xmlElement,
  xmlLeaf,
} from '../../src/manscdp';

function reasonOf(fn: () => unknown): ManscdpParseReason | 'no-error' | 'other-error' {
  try {
    fn();
    return 'no-error';
  } catch (error) {
    return error instanceof ManscdpParseError ? error.reason : 'other-error';
  }
}

describe('sanitizeXml', () => {
  it.each([
    ['bare & in text', '<A>Tom & Jerry</A>', '<A>Tom &amp; Jerry</A>'],
    [
      'entities kept',
      '<A>&amp;&lt;&gt;&quot;&apos;&#20013;&#x4E2D;</A>',
      '<A>&amp;&lt;&gt;&quot;&apos;&#20013;&#x4E2D;</A>',
    ],
    ['HTML entity is not XML', '<A>a&nbsp;b</A>', '<A>a&amp;nbsp;b</A>'],
    ['< before a digit', '<A>1<2</A>', '<A>1&lt;2</A>'],
    ['< before a space', '<A>a < b</A>', '<A>a &lt; b</A>'],
    ['Hikvision Address', '<Address>B1<F3>x&y</Address>', '<Address>B1&lt;F3>x&amp;y</Address>'],
    ['Name with a tag-like part', '<Name>a</b>c</Name>', '<Name>a&lt;/b>c</Name>'],
    ['leaf matched case-insensitively', '<address>x<y</ADDRESS>', '<address>x&lt;y</ADDRESS>'],
    ['control characters dropped', '<A>a\u0000b\u0007c\td\r\ne\u001f</A>', '<A>abc\td\r\ne</A>'],
    ['leading BOM and junk dropped', '\uFEFF \r\n<A/>', '<A/>'],
    ['CDATA copied as is', '<A><![CDATA[a & <b>]]></A>', '<A><![CDATA[a & <b>]]></A>'],
    ['comment copied as is', '<A><!-- a & b --></A>', '<A><!-- a & b --></A>'],
    ['& in attribute value', '<A v="a&b<c">x</A>', '<A v="a&amp;b&lt;c">x</A>'],
  ])('%s', (_name, input, output) => {
    expect(sanitizeXml(input).text).toBe(output);
  });

  it('reports nesting depth', () => {
    expect(sanitizeXml('<a><b><c/></b><d></d></a>').depth).toBe(2);
  });
});

describe('parseXml', () => {
  it('keeps every value a trimmed string and attributes trimmed', () => {
    const root = parseXml('<R><SN> 007 </SN><DeviceList Num=" 3 "><Item/></DeviceList><Lon>1.50</Lon></R>');
    expect(childText(root, 'SN')).toBe('007');
    expect(childText(root, 'Lon')).toBe('1.50');
    expect(attributeOf(findChild(root, 'DeviceList')!, 'num')).toBe('3');
  });

  it('compares element names case-insensitively', () => {
    const root = parseXml('<Notify><info><alarmtype>2</alarmtype></info></Notify>');
    expect(childText(findChild(root, 'Info')!, 'AlarmType')).toBe('2');
  });

  it('decodes entities once', () => {
    expect(parseXml('<A>&amp;lt; &#20013;</A>').text).toBe('&lt; 中');
  });

  it('reads the Hikvision Address', () => {
    expect(childText(parseXml('<Item><Address>B1<F3>机房&监控室<东></Address></Item>'), 'Address')).toBe(
      'B1<F3>机房&监控室<东>',
    );
  });

  it('reads a root after an XML declaration and comments', () => {
    expect(parseXml('<?xml version="1.0" encoding="GB2312" standalone="yes" ?><!-- x --><Query/>').name).toBe(
      'Query',
    );
  });

  it.each<[string, string, ManscdpParseReason]>([
    ['empty', '', 'empty'],
    ['whitespace', ' \r\n ', 'empty'],
    ['text only', 'hello', 'empty'],
    ['truncated', '<Response><CmdType>Catalog</CmdType><SN>4</SN><Devi', 'malformed-xml'],
    ['unclosed root', '<Response><CmdType>Catalog</CmdType>', 'malformed-xml'],
    ['two roots', '<A></A><B></B>', 'malformed-xml'],
    ['mismatched tags', '<A><B></A></B>', 'malformed-xml'],
    ['DOCTYPE (entity expansion)', '<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', 'forbidden-doctype'],
    ['too deep', `${'<a>'.repeat(MAX_XML_DEPTH + 1)}${'</a>'.repeat(MAX_XML_DEPTH + 1)}`, 'too-deep'],
    ['hostile depth', '<a>'.repeat(200_000), 'too-deep'],
  ])('rejects %s with a typed reason', (_name, input, reason) => {
    expect(reasonOf(() => parseXml(input))).toBe(reason);
  });
});

describe('writeXml', () => {
  it('escapes text and attributes and parses back', () => {
    const tree = xmlElement('R', [xmlLeaf('Name', 'a<b>&"c"'), xmlElement('L', [], { Num: '0"' })]);
    const xml = writeXml(tree);
    expect(xml).toBe('<R>\r\n<Name>a&lt;b&gt;&amp;"c"</Name>\r\n<L Num="0&quot;"></L>\r\n</R>');
    const back = parseXml(xml);
    expect(childText(back, 'Name')).toBe('a<b>&"c"');
    expect(attributeOf(findChild(back, 'L')!, 'Num')).toBe('0"');
  });
});
