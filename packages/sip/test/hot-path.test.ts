import { describe, expect, it } from 'vitest';
import {
  createResponse,
  getFrom,
  getTo,
  getTopVia,
  parseMessage,
  parseNameAddr,
  parseVia,
  type SipRequest,
  SipParseError,
  serializeMessage,
} from '../src';
import { type InboundSink, receive } from '../src/transport/inbound';
import { defaultSipLimits } from '../src/message/limits';
import { emptyTransportStats, type InboundMessage } from '../src/transport/transport';

// The keepalive fast path reads each header once and shares the result (SipHeaders.parseFirst); these pin that
// what is shared is what a fresh parse of the current text would give.

const keepalive = (via = 'SIP/2.0/UDP 10.0.0.8:5060;rport;branch=z9hG4bK-1') =>
  Buffer.from(
    'MESSAGE sip:43010000002000000001@4301000000 SIP/2.0\r\n' +
      `Via: ${via}\r\n` +
      'From: <sip:43011100001320000001@4301000000>;tag=77\r\n' +
      'To: <sip:43010000002000000001@4301000000>\r\n' +
      'Call-ID: 1@10.0.0.8\r\nCSeq: 20 MESSAGE\r\nContent-Length: 0\r\n\r\n',
  );

function delivered(bytes: Buffer): InboundMessage {
  let got: InboundMessage | undefined;
  const sink: InboundSink = {
    limits: defaultSipLimits,
    stats: emptyTransportStats(),
    deliver: (inbound) => {
      got = inbound;
    },
    reject: () => undefined,
    reply: async () => undefined,
  };
  receive(bytes, { transport: 'udp', address: '192.0.2.1', port: 40000 }, sink);
  if (!got) throw new Error('not delivered');
  return got;
}

describe('cached header parses', () => {
  it('the parser fills the cache: repeated reads give the same object, equal to a fresh parse', () => {
    const message = parseMessage(keepalive());
    expect(getTopVia(message)).toBe(getTopVia(message));
    expect(getFrom(message)).toBe(getFrom(message));
    expect(getTo(message)).toEqual(parseNameAddr(message.headers.get('To')!));
  });

  it('the Via stamped with received/rport reads back as a fresh parse of the new text', () => {
    const { message } = delivered(keepalive());
    const line = message.headers.get('Via')!;
    expect(line).toBe('SIP/2.0/UDP 10.0.0.8:5060;rport=40000;branch=z9hG4bK-1;received=192.0.2.1');
    expect(getTopVia(message)).toEqual(parseVia(line));
  });

  it('a stamped top Via sharing its line with a second keeps the second', () => {
    const { message } = delivered(
      keepalive('SIP/2.0/UDP 10.0.0.8;rport;branch=z9hG4bK-1, SIP/2.0/UDP p:5060;branch=z9hG4bK-p'),
    );
    expect(message.headers.getAll('Via')).toEqual([
      'SIP/2.0/UDP 10.0.0.8;rport=40000;branch=z9hG4bK-1;received=192.0.2.1',
      'SIP/2.0/UDP p:5060;branch=z9hG4bK-p',
    ]);
    expect(getTopVia(message)).toEqual(parseVia(message.headers.getAll('Via')[0]!));
  });

  it('a header replaced after it was read is parsed anew', () => {
    const message = parseMessage(keepalive());
    expect(getTo(message).tag).toBeUndefined();
    message.headers.set('To', '<sip:43010000002000000001@4301000000>;tag=x');
    expect(getTo(message).tag).toBe('x');
  });
});

describe('responses copy the request fields', () => {
  it('one Via field per Via of a shared line, To gains a tag, bytes as before', () => {
    const request = parseMessage(
      keepalive('SIP/2.0/UDP a:5060;branch=z9hG4bK-a, SIP/2.0/UDP b:5060;branch=z9hG4bK-b'),
    ) as SipRequest;
    const response = createResponse(request, 200, 'OK', { toTag: 't1' });
    expect(serializeMessage(response).toString()).toBe(
      'SIP/2.0 200 OK\r\n' +
        'Via: SIP/2.0/UDP a:5060;branch=z9hG4bK-a\r\n' +
        'Via: SIP/2.0/UDP b:5060;branch=z9hG4bK-b\r\n' +
        'From: <sip:43011100001320000001@4301000000>;tag=77\r\n' +
        'To: <sip:43010000002000000001@4301000000>;tag=t1\r\n' +
        'Call-ID: 1@10.0.0.8\r\nCSeq: 20 MESSAGE\r\nContent-Length: 0\r\n\r\n',
    );
    // The request's own To is untouched.
    expect(getTo(request).tag).toBeUndefined();
  });
});

describe('header lines read in place', () => {
  const base =
    'OPTIONS sip:a@b SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK-1\nFrom: <sip:x@y>;tag=1\nTo: <sip:a@b>\n' +
    'Call-ID: c\nCSeq: 1 OPTIONS\n';

  it('LF-only ends, folding and a stray CR before the CRLF', () => {
    const message = parseMessage(Buffer.from(`${base}Subject: one,\n  two\r\r\nContent-Length: 0\n\n`));
    expect(message.headers.get('Subject')).toBe('one, two');
    expect(message.headers.get('Content-Length')).toBe('0');
  });

  it('an empty line inside the header block is still a bad header', () => {
    const bytes = Buffer.from('OPTIONS sip:a@b SIP/2.0\n\r\n\r\nVia: x\r\n\r\n');
    expect(() => parseMessage(bytes)).toThrow(SipParseError);
  });

  it('repeated Content-Length must agree', () => {
    expect(() => parseMessage(Buffer.from(`${base}Content-Length: 0\nContent-Length: 1\n\nx`))).toThrow(
      /Content-Length/,
    );
    expect(parseMessage(Buffer.from(`${base}Content-Length: 1\nl: 1\n\nx`)).body.toString()).toBe('x');
  });

  it('tabs or double spaces in the request line still split', () => {
    const message = parseMessage(
      Buffer.from(`${base.replace('OPTIONS sip:a@b SIP/2.0', 'OPTIONS\tsip:a@b  SIP/2.0')}\n`),
    );
    expect(message.kind === 'request' && message.uri).toBe('sip:a@b');
  });
});
