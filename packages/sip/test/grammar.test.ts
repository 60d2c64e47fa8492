import { describe, expect, it } from 'vitest';
import {
  formatNameAddr,
  formatUri,
  formatVia,
  parseAuthHeader,
  parseCSeq,
  parseExpires,
  parseNameAddr,
  parseParams,
  parseUri,
  parseVia,
  SipHeaders,
  SipParseError,
} from '../src';

describe('parseUri', () => {
  it('reads user, host, port and parameters', () => {
    expect(parseUri('sip:34020000001320000001@192.168.3.99:5060;transport=udp;lr')).toEqual({
      scheme: 'sip',
      user: '34020000001320000001',
      host: '192.168.3.99',
      port: 5060,
      params: new Map([
        ['transport', 'udp'],
        ['lr', null],
      ]),
    });
  });

  it('reads a domain-only URI as a host, and an IPv6 reference', () => {
    expect(parseUri('sip:3402000000')).toEqual({ scheme: 'sip', host: '3402000000', params: new Map() });
    expect(parseUri('sips:alice@[2001:db8::1]:5061')).toMatchObject({ host: '[2001:db8::1]', port: 5061 });
  });

  it("accepts SRS's empty host (From: <sip:3402000000@>) and keeps password and headers", () => {
    expect(parseUri('sip:3402000000@')).toMatchObject({ user: '3402000000', host: '' });
    expect(parseUri('sip:u:pw@h?subject=x')).toMatchObject({
      user: 'u',
      password: 'pw',
      headers: 'subject=x',
    });
  });

  it('round-trips through formatUri', () => {
    for (const text of ['sip:3402000000', 'sip:a@b:5060;lr;transport=tcp', 'sips:u:p@[::1]:1?x=y']) {
      expect(formatUri(parseUri(text))).toBe(text);
    }
  });

  it('rejects other schemes, bad ports and junk hosts', () => {
    for (const text of [
      'tel:+861234',
      'http://x',
      'sip:a@b:99999',
      'sip:a@b:5x',
      'sip:a@b c',
      'sip:a@[::1',
      'nocolon',
    ]) {
      expect(() => parseUri(text), text).toThrow(SipParseError);
    }
  });
});

describe('parseNameAddr', () => {
  it('reads a quoted display name, the URI and header parameters', () => {
    const value = parseNameAddr(
      '"Camera \\"1\\"" <sip:34020000001320000001@3402000000:5060;lr>;tag=x;expires=60',
    );
    expect(value.displayName).toBe('Camera "1"');
    expect(value.uri).toMatchObject({ user: '34020000001320000001', port: 5060 });
    expect(value.uri.params.get('lr')).toBeNull();
    expect(value.tag).toBe('x');
    expect(value.params.get('expires')).toBe('60');
  });

  it('keeps a quoted parameter holding <, > and ; (sbgb28181 +sip.instance)', () => {
    const contact = parseNameAddr(
      '<sip:34020000001320000001@127.0.0.1:49847>;+sip.instance="<urn:uuid:34020000001320000001>";reg-id=1',
    );
    expect(contact.uri).toMatchObject({ host: '127.0.0.1', port: 49847 });
    expect(contact.params.get('+sip.instance')).toBe('<urn:uuid:34020000001320000001>');
    expect(contact.params.get('reg-id')).toBe('1');
  });

  it('reads an addr-spec without brackets, its parameters belonging to the header (RFC 3261 §20.10)', () => {
    const value = parseNameAddr('sip:a@b;tag=99');
    expect(value.tag).toBe('99');
    expect(value.uri.params.size).toBe(0);
  });

  it('reads an unquoted display name', () => {
    expect(parseNameAddr('Dahua IPC <sip:a@b>').displayName).toBe('Dahua IPC');
  });

  it('formats with the tag field winning over params', () => {
    const value = parseNameAddr('"n" <sip:a@b>;tag=old');
    expect(formatNameAddr({ ...value, tag: 'new' })).toBe('"n" <sip:a@b>;tag=new');
    expect(formatNameAddr(parseNameAddr('<sip:a@b>;+sip.instance="<urn:x>"'))).toBe(
      '<sip:a@b>;+sip.instance="<urn:x>"',
    );
  });

  it('rejects malformed values', () => {
    for (const text of ['"open <sip:a@b>', '"n" sip:a@b', '<sip:a@b', '<sip:a@b> junk', 'a b c']) {
      expect(() => parseNameAddr(text), text).toThrow(SipParseError);
    }
  });
});

describe('parseVia', () => {
  it('reads transport, sent-by, branch, rport and received', () => {
    expect(
      parseVia('SIP/2.0/UDP 192.168.1.107:5060;rport=5061;branch=z9hG4bK990289307;received=10.0.0.9'),
    ).toMatchObject({
      protocol: 'SIP/2.0',
      transport: 'UDP',
      host: '192.168.1.107',
      port: 5060,
      branch: 'z9hG4bK990289307',
      rport: 5061,
      received: '10.0.0.9',
    });
  });

  it('reads a bare rport as requested, spaces around slashes, lower case, and no port', () => {
    expect(parseVia('sip / 2.0 / tcp host.example;rport;branch=z9hG4bKa')).toMatchObject({
      transport: 'TCP',
      host: 'host.example',
      rport: true,
    });
    expect(parseVia('SIP/2.0/UDP h').port).toBeUndefined();
  });

  it('formats with fields winning over params', () => {
    const via = parseVia('SIP/2.0/UDP 1.2.3.4:5060;rport;branch=z9hG4bKa');
    expect(formatVia({ ...via, rport: 40000, received: '5.6.7.8' })).toBe(
      'SIP/2.0/UDP 1.2.3.4:5060;rport=40000;branch=z9hG4bKa;received=5.6.7.8',
    );
  });

  it('rejects malformed values', () => {
    for (const text of [
      'SIP/2.0 1.2.3.4',
      'SIP/2.0/UDP',
      'SIP/2.0/UDP :5060',
      'SIP/2.0/UDP h;rport=x',
      'SIP/2.0/UDP h:99999',
    ]) {
      expect(() => parseVia(text), text).toThrow(SipParseError);
    }
  });
});

describe('parseCSeq and parseExpires', () => {
  it('reads numbers and methods', () => {
    expect(parseCSeq('20 MESSAGE')).toEqual({ seq: 20, method: 'MESSAGE' });
    expect(parseCSeq('  1   REGISTER ')).toEqual({ seq: 1, method: 'REGISTER' });
    expect(parseExpires(' 0 ')).toBe(0);
    expect(parseExpires('86400')).toBe(86400);
  });

  it('rejects out-of-range and malformed values', () => {
    for (const text of ['2147483648 INVITE', 'x INVITE', '1', '1 IN VITE']) {
      expect(() => parseCSeq(text), text).toThrow(SipParseError);
    }
    for (const text of ['', '-1', '1h', '3600 ;x'])
      expect(() => parseExpires(text), text).toThrow(SipParseError);
  });
});

describe('parseAuthHeader', () => {
  it('keeps commas inside quoted values and unquotes', () => {
    const header = parseAuthHeader(
      'Digest realm="3402000000", qop="auth,auth-int", nonce="a\\"b", algorithm=MD5',
    );
    expect(header.scheme).toBe('Digest');
    expect(Object.fromEntries(header.params)).toEqual({
      realm: '3402000000',
      qop: 'auth,auth-int',
      nonce: 'a"b',
      algorithm: 'MD5',
    });
  });

  it("reads SIPp's comma-without-space Authorization", () => {
    const header = parseAuthHeader(
      'Digest username="34020000001320000001",realm="3402000000",uri="sip:127.0.0.1:15060",nonce="abc123",response="f76e278017cae257dd098631305e8cbf",algorithm=MD5',
    );
    expect(header.params.get('uri')).toBe('sip:127.0.0.1:15060');
    expect(header.params.get('response')).toBe('f76e278017cae257dd098631305e8cbf');
  });

  it('rejects parameters without value and unterminated quotes', () => {
    expect(() => parseAuthHeader('Digest realm')).toThrow(SipParseError);
    expect(() => parseAuthHeader('Digest realm="x')).toThrow(SipParseError);
    expect(() => parseAuthHeader('Dig=est realm=x')).toThrow(SipParseError);
  });
});

describe('parseParams', () => {
  it('treats names case-insensitively and survives a __proto__ parameter', () => {
    const params = parseParams(';Transport=UDP;__proto__=x;LR');
    expect(params.get('transport')).toBe('UDP');
    expect(params.get('__proto__')).toBe('x');
    expect(params.get('lr')).toBeNull();
  });
});

describe('SipHeaders', () => {
  it('is ordered and case-insensitive, with compact forms folded into full names', () => {
    const headers = new SipHeaders([
      ['v', 'SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP b;branch=z9hG4bK2'],
      ['CALL-ID', 'x'],
      ['Via', 'SIP/2.0/UDP c;branch=z9hG4bK3'],
      ['X-GB-ver', '3.0'],
    ]);
    expect([...headers].map(([name]) => name)).toEqual(['Via', 'Call-ID', 'Via', 'X-GB-ver']);
    expect(headers.get('call-id')).toBe('x');
    expect(headers.get('x-gb-VER')).toBe('3.0');
    expect(headers.getAll('VIA')).toHaveLength(3);
    expect(headers.get('via')).toBe('SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP b;branch=z9hG4bK2');
  });

  it('does not split headers whose values contain commas (Subject, Date, WWW-Authenticate)', () => {
    const headers = new SipHeaders({
      Subject: '34020000001320000001:0200000001,34020000002000000001:0',
      'WWW-Authenticate': 'Digest realm="a", nonce="b"',
    });
    expect(headers.getAll('Subject')).toHaveLength(1);
    expect(headers.getAll('WWW-Authenticate')).toHaveLength(1);
  });

  it('prepends, sets, replaces the first and deletes', () => {
    const headers = new SipHeaders({ Via: ['SIP/2.0/UDP b', 'SIP/2.0/UDP c'], To: '<sip:a@b>' });
    headers.prepend('Via', 'SIP/2.0/UDP a');
    expect(headers.getAll('Via')).toEqual(['SIP/2.0/UDP a', 'SIP/2.0/UDP b', 'SIP/2.0/UDP c']);
    headers.replaceFirst('Via', 'SIP/2.0/UDP z');
    expect(headers.getAll('Via')[0]).toBe('SIP/2.0/UDP z');
    headers.set('via', 'SIP/2.0/UDP only');
    expect(headers.getAll('Via')).toEqual(['SIP/2.0/UDP only']);
    headers.delete('VIA');
    expect(headers.has('Via')).toBe(false);
    expect(headers.size).toBe(1);
  });
});
