import { describe, expect, it } from 'vitest';
import { ManscdpParseError, parseXml, tryDecodeManscdp } from '../../src/manscdp';

/** An entity bomb: the DTD the parser must never see, whatever hides it. */
const bomb = (doctype: string) =>
  `<?xml version="1.0"?>${doctype} Query [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>` +
  '<Query><CmdType>Catalog</CmdType><SN>1</SN><DeviceID>&b;</DeviceID></Query>';

describe('DTD declarations are refused on the text the parser reads', () => {
  const hidden: [string, string][] = [
    ['a control character inside the keyword', '<!DOC\u0001TYPE'],
    ['a NUL after the bang', '<!\u0000DOCTYPE'],
    ['DEL inside the keyword', '<!DOCTY\u007fPE'],
    ['a control character between < and !', '<\u0002!DOCTYPE'],
    ['several of them', '<\u0001!\u0002D\u0003O\u0004C\u0005T\u0006Y\u0007P\u0008E'],
    ['lower case', '<!doctype'],
    ['a vertical tab and a form feed', '<!DOC\u000bTY\u000cPE'],
  ];
  for (const [how, doctype] of hidden) {
    it(`a DOCTYPE hidden by ${how} is refused`, () => {
      expect(() => parseXml(bomb(doctype))).toThrow(
        expect.objectContaining({ reason: 'forbidden-doctype' }) as ManscdpParseError,
      );
    });
  }

  it('a DOCTYPE hidden by a control character is refused from wire bytes too (GB2312 and UTF-8)', () => {
    for (const encoding of ['GB2312', 'UTF-8']) {
      const body = Buffer.from(
        bomb('<!DOC\u0001TYPE').replace(
          '<?xml version="1.0"?>',
          `<?xml version="1.0" encoding="${encoding}"?>`,
        ),
        'latin1',
      );
      const decoded = tryDecodeManscdp(body);
      expect(decoded.ok).toBe(false);
      if (!decoded.ok) expect(decoded.error.reason).toBe('forbidden-doctype');
    }
  });

  it('an ENTITY, ELEMENT or ATTLIST declaration without a DOCTYPE is refused', () => {
    for (const declaration of [
      '<!ENTITY x "y">',
      '<!EL\u0001EMENT a ANY>',
      '<!ATTLIST a b CDATA #IMPLIED>',
    ]) {
      expect(() => parseXml(`${declaration}<Query><CmdType>Catalog</CmdType></Query>`)).toThrow(
        expect.objectContaining({ reason: 'forbidden-doctype' }) as ManscdpParseError,
      );
    }
  });

  it('comments and CDATA sections are still read', () => {
    const element = parseXml(
      '<!-- a vendor comment --><Query><CmdType>Catalog</CmdType><Name><![CDATA[<北门>]]></Name></Query>',
    );
    expect(element.name).toBe('Query');
  });
});
