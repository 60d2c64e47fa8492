import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import {
  createResponse,
  getCallId,
  getCSeq,
  getFrom,
  getTo,
  getTopVia,
  getVias,
  parseMessage,
  parseNameAddr,
  parseUri,
  SipParseError,
  type SipParseReason,
  type SipRequest,
  serializeMessage,
} from '../src';
import {
  cameraRegister,
  dahuaKeepalive,
  dahuaKeepaliveBody,
  dahuaNvrRegister,
  gb2312Catalog,
  gb2312CatalogBody,
  wireTable,
} from './support/wire-messages';

function parseRequest(bytes: Buffer | string): SipRequest {
  const message = parseMessage(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  if (message.kind !== 'request') throw new Error('expected a request');
  return message;
}

function reasonOf(bytes: Buffer | string): SipParseReason | undefined {
  try {
    parseMessage(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
    return undefined;
  } catch (error) {
    if (error instanceof SipParseError) return error.reason;
    throw error;
  }
}

describe('wire table: parse and serialize real messages', () => {
  for (const entry of wireTable()) {
    it(`${entry.name} parses, and serialize → parse is a fixed point`, () => {
      const parsed = parseMessage(entry.bytes);
      const written = serializeMessage(parsed);
      if (entry.canonical) expect(written.toString('latin1')).toBe(entry.bytes.toString('latin1'));
      const again = parseMessage(written);
      expect(again).toEqual(parsed);
      expect(serializeMessage(again)).toEqual(written);
    });
  }
});

describe('parseMessage', () => {
  it('reads the camera REGISTER header by header', () => {
    const request = parseRequest(cameraRegister);
    expect(request.method).toBe('REGISTER');
    expect(request.uri).toBe('sip:34020000002000000001@3402000000');
    expect(getTopVia(request)).toMatchObject({
      transport: 'UDP',
      host: '192.168.3.99',
      port: 5060,
      branch: 'z9hG4bK442003727',
      rport: true,
    });
    expect(getFrom(request)).toMatchObject({
      uri: { user: '34020000001320000001', host: '3402000000' },
      tag: '307202390',
    });
    expect(getTo(request).tag).toBeUndefined();
    expect(getCSeq(request)).toEqual({ seq: 1, method: 'REGISTER' });
    expect(request.headers.get('expires')).toBe('3600');
    expect(request.body.length).toBe(0);
  });

  it('accepts IP:port hosts in From/To, a Route, and Call-ID n@ip (Dahua NVR)', () => {
    const request = parseRequest(dahuaNvrRegister);
    expect(getFrom(request).uri).toMatchObject({
      user: '34020000001180000001',
      host: '192.168.1.108',
      port: 5060,
    });
    expect(getTo(request).uri.port).toBe(5060);
    expect(getCallId(request)).toBe('1183526394@192.168.1.108');
    expect(parseNameAddr(request.headers.get('Route')!).uri.params.get('lr')).toBeNull();
  });

  it('reads `Content-Length:   178` and takes exactly 178 body bytes (Dahua keepalive)', () => {
    const request = parseRequest(dahuaKeepalive);
    expect(request.headers.get('Content-Length')).toBe('178');
    expect(request.body).toEqual(dahuaKeepaliveBody);
    expect(request.headers.get('content-type')).toBe('Application/MANSCDP+xml');
  });

  it('keeps GB2312 body bytes and counts Content-Length in bytes when writing', () => {
    const request = parseRequest(gb2312Catalog);
    expect(request.body).toEqual(gb2312CatalogBody);
    expect(iconv.decode(request.body, 'gb18030')).toContain('<Name>1.64 海康摄像机</Name>');
    const text = iconv.decode(request.body, 'gb18030');
    expect(text.length).toBeLessThan(request.body.length);
    const written = serializeMessage(request).toString('latin1');
    expect(written).toContain(`Content-Length: ${gb2312CatalogBody.length}\r\n`);
    expect(written).not.toContain(`Content-Length: ${text.length}\r\n`);
  });

  it('accepts a keepalive without Content-Type and with two Vias on one line (srs-bench)', () => {
    const request = parseRequest(wireTable().find((e) => e.name.startsWith('srs-bench keepalive'))!.bytes);
    expect(request.headers.has('Content-Type')).toBe(false);
    expect(getVias(request).map((via) => via.branch)).toEqual(['z9hG4bK_2970764552', 'z9hG4bK_3096981403']);
    expect(request.headers.getAll('Via')).toHaveLength(2);
    expect(request.body.toString()).toContain('<CmdType>Keepalive</CmdType>');
  });

  it('accepts a domain-only Request-URI (sbgb28181 REGISTER sip:3402000000)', () => {
    const request = parseRequest(wireTable().find((e) => e.name.startsWith('sbgb28181'))!.bytes);
    expect(request.uri).toBe('sip:3402000000');
    expect(parseUri(request.uri)).toMatchObject({ host: '3402000000' });
    expect(parseUri(request.uri).user).toBeUndefined();
  });

  it('expands compact header names (v f t i m l c k s e o) to full names', () => {
    const body = '<Query/>';
    const request = parseRequest(
      'MESSAGE sip:a@b SIP/2.0\r\nv: SIP/2.0/UDP 1.2.3.4:5060;branch=z9hG4bKx\r\nf: <sip:c@d>;tag=1\r\n' +
        't: <sip:a@b>\r\ni: abc@1.2.3.4\r\nCSeq: 1 MESSAGE\r\nm: <sip:c@1.2.3.4>\r\nc: Application/MANSCDP+xml\r\n' +
        'k: timer\r\ns: 3402:0,3402:0\r\ne: identity\r\no: Catalog;id=1\r\n' +
        `l: ${body.length}\r\n\r\n${body}`,
    );
    expect([...request.headers].map(([name]) => name)).toEqual([
      'Via',
      'From',
      'To',
      'Call-ID',
      'CSeq',
      'Contact',
      'Content-Type',
      'Supported',
      'Subject',
      'Content-Encoding',
      'Event',
      'Content-Length',
    ]);
    expect(request.headers.get('Event')).toBe('Catalog;id=1');
    expect(request.body.toString()).toBe(body);
  });

  it('unfolds continuation lines and tolerates LF-only line ends', () => {
    const request = parseRequest(
      'OPTIONS sip:a@b SIP/2.0\nVia: SIP/2.0/UDP 1.2.3.4:5060\n ;branch=z9hG4bKfold\nFrom: <sip:c@d>;tag=1\n' +
        'To: <sip:a@b>\nCall-ID: x\nCSeq: 2 OPTIONS\nSubject: first\n\tsecond\nContent-Length: 0\n\n',
    );
    expect(getTopVia(request).branch).toBe('z9hG4bKfold');
    expect(request.headers.get('Subject')).toBe('first second');
  });

  it('skips CRLFs before the start line and discards datagram bytes past Content-Length', () => {
    const request = parseRequest(
      Buffer.concat([Buffer.from('\r\n\r\n'), cameraRegister, Buffer.from('junk')]),
    );
    expect(request.method).toBe('REGISTER');
    expect(request.body.length).toBe(0);
  });

  it('without Content-Length takes the rest of the datagram as body', () => {
    const request = parseRequest(
      'MESSAGE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:c@d>;tag=1\r\nTo: <sip:a@b>\r\n' +
        'Call-ID: x\r\nCSeq: 1 MESSAGE\r\n\r\n<xml/>',
    );
    expect(request.body.toString()).toBe('<xml/>');
  });

  it('parses a response with an empty reason phrase', () => {
    const message = parseMessage(
      Buffer.from(
        'SIP/2.0 200\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: x\r\nCSeq: 1 REGISTER\r\n\r\n',
      ),
    );
    expect(message).toMatchObject({ kind: 'response', status: 200, reason: '' });
  });

  const valid = (start: string, headers: string[], tail = '\r\n') =>
    `${start}\r\n${headers.join('\r\n')}\r\n${tail}`;
  const basic = [
    'Via: SIP/2.0/UDP 1.2.3.4;branch=z9hG4bK1',
    'From: <sip:a@b>;tag=1',
    'To: <sip:a@b>',
    'Call-ID: x',
    'CSeq: 1 REGISTER',
  ];
  const rejected: Array<[string, string | Buffer, SipParseReason]> = [
    ['empty input', '', 'empty'],
    ['only line breaks', '\r\n\r\n', 'empty'],
    ['no blank line after headers', 'REGISTER sip:a@b SIP/2.0\r\nVia: x', 'incomplete-headers'],
    ['a two-part request line', valid('REGISTER sip:a@b', basic), 'bad-start-line'],
    ['SIP/3.0', valid('REGISTER sip:a@b SIP/3.0', basic), 'bad-version'],
    ['a method with a slash', valid('REG/ISTER sip:a@b SIP/2.0', basic), 'bad-method'],
    ['a Request-URI without scheme', valid('REGISTER 3402000000 SIP/2.0', basic), 'bad-request-uri'],
    ['status 700', valid('SIP/2.0 700 Nope', basic), 'bad-status'],
    ['a header line without colon', valid('REGISTER sip:a@b SIP/2.0', [...basic, 'garbage']), 'bad-header'],
    ['a continuation before any header', 'REGISTER sip:a@b SIP/2.0\r\n folded\r\n\r\n', 'bad-header'],
    [
      'no To (what VAG.Node wrongly claimed)',
      valid(
        'REGISTER sip:a@b SIP/2.0',
        basic.filter((h) => !h.startsWith('To')),
      ),
      'missing-header',
    ],
    [
      'an empty Call-ID',
      valid('REGISTER sip:a@b SIP/2.0', [...basic.slice(0, 3), 'Call-ID:', basic[4]!]),
      'missing-header',
    ],
    [
      'Content-Length: abc',
      valid('REGISTER sip:a@b SIP/2.0', [...basic, 'Content-Length: abc']),
      'bad-content-length',
    ],
    [
      'two different Content-Lengths',
      valid('REGISTER sip:a@b SIP/2.0', [...basic, 'Content-Length: 0', 'l: 1']),
      'bad-content-length',
    ],
    [
      'Content-Length beyond the datagram',
      valid('REGISTER sip:a@b SIP/2.0', [...basic, 'Content-Length: 10'], '\r\nabc'),
      'truncated-body',
    ],
    ['an unreadable Via', valid('REGISTER sip:a@b SIP/2.0', ['Via: nonsense', ...basic.slice(1)]), 'bad-via'],
    [
      'an unreadable CSeq',
      valid('REGISTER sip:a@b SIP/2.0', [...basic.slice(0, 4), 'CSeq: one REGISTER']),
      'bad-cseq',
    ],
    ['CSeq method ≠ request method', valid('MESSAGE sip:a@b SIP/2.0', basic), 'cseq-method-mismatch'],
    [
      'an unterminated From',
      valid('REGISTER sip:a@b SIP/2.0', [basic[0]!, 'From: <sip:a@b;tag=1', ...basic.slice(2)]),
      'bad-name-addr',
    ],
    [
      'a tel: To',
      valid('REGISTER sip:a@b SIP/2.0', [...basic.slice(0, 2), 'To: <tel:123>', ...basic.slice(3)]),
      'bad-name-addr',
    ],
    ['more than 64 KiB', Buffer.alloc(64 * 1024 + 1, 0x41), 'too-large'],
    [
      'more than 100 header fields',
      valid('REGISTER sip:a@b SIP/2.0', [
        ...basic,
        ...Array.from({ length: 100 }, (_, i) => `X-H${i}: ${i}`),
      ]),
      'too-many-headers',
    ],
  ];
  for (const [name, input, reason] of rejected) {
    it(`rejects ${name} with reason ${reason}`, () => {
      expect(reasonOf(input)).toBe(reason);
    });
  }
});

describe('serializeMessage', () => {
  it('writes full header names, CRLF line ends and a Content-Length computed from the body', () => {
    const request = parseRequest(
      'MESSAGE sip:a@b SIP/2.0\nv: SIP/2.0/UDP h;branch=z9hG4bK1\nf: <sip:c@d>;tag=1\nt: <sip:a@b>\ni: x\nCSeq: 1 MESSAGE\n' +
        'l: 2\n\nhi',
    );
    request.body = Buffer.from('视频动检', 'utf8');
    expect(serializeMessage(request).toString('utf8')).toBe(
      'MESSAGE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:c@d>;tag=1\r\nTo: <sip:a@b>\r\n' +
        'Call-ID: x\r\nCSeq: 1 MESSAGE\r\nContent-Length: 12\r\n\r\n视频动检',
    );
  });

  it('appends Content-Length when the message has none', () => {
    const response = createResponse(parseRequest(cameraRegister), 200, 'OK', { body: 'ab' });
    expect(serializeMessage(response).toString()).toMatch(/\r\nContent-Length: 2\r\n\r\nab$/);
  });

  it('folds line breaks out of header values and reason phrases (no header injection)', () => {
    const response = createResponse(parseRequest(cameraRegister), 403, 'Forbidden\r\nX-Evil: 1', {
      headers: { Warning: '399 x "a\r\nX-Evil: 2"' },
    });
    const text = serializeMessage(response).toString();
    expect(text).not.toMatch(/\r\nX-Evil/);
    expect(parseMessage(serializeMessage(response)).headers.has('X-Evil')).toBe(false);
  });
});

describe('createResponse', () => {
  it('copies Via (all, in order), From, To, Call-ID and CSeq and adds a To-tag', () => {
    const request = parseRequest(wireTable().find((e) => e.name.startsWith('srs-bench keepalive'))!.bytes);
    const response = createResponse(request, 200, 'OK', { toTag: 'abc' });
    expect(response.headers.getAll('Via')).toEqual(request.headers.getAll('Via'));
    expect(response.headers.get('From')).toBe(request.headers.get('From'));
    expect(response.headers.get('To')).toBe(`${request.headers.get('To')};tag=abc`);
    expect(getCallId(response)).toBe(getCallId(request));
    expect(getCSeq(response)).toEqual(getCSeq(request));
    expect(response.headers.has('Contact')).toBe(false);
  });

  it('keeps an existing To-tag, invents one when asked for none, and adds none to 100 Trying', () => {
    const request = parseRequest(cameraRegister);
    expect(getTo(createResponse(request, 401, 'Unauthorized')).tag).toMatch(/^[0-9a-f]{12}$/);
    expect(getTo(createResponse(request, 100, 'Trying')).tag).toBeUndefined();
    request.headers.set('To', '<sip:x@y>;tag=mine');
    expect(createResponse(request, 200, 'OK', { toTag: 'other' }).headers.get('To')).toBe(
      '<sip:x@y>;tag=mine',
    );
  });

  it('adds extra headers and a body', () => {
    const response = createResponse(parseRequest(cameraRegister), 200, 'OK', {
      headers: [
        ['Expires', '3600'],
        ['Date', '2024-01-01T00:00:00.000'],
      ],
      body: Buffer.from([0xb4, 0xf3]),
    });
    expect(response.headers.get('Date')).toBe('2024-01-01T00:00:00.000');
    expect(response.body).toEqual(Buffer.from([0xb4, 0xf3]));
  });
});
