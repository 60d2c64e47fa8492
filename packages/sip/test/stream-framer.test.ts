import { describe, expect, it } from 'vitest';
import { parseMessage, SipFramingError, SipStreamFramer } from '../src';
import { cameraRegister, dahuaKeepalive, gb2312Catalog, wvpInvite } from './support/wire-messages';

const pair = Buffer.concat([dahuaKeepalive, wvpInvite]);

/** Messages as Latin-1 text: byte-exact, and far cheaper for vitest to compare than Buffers. */
function pushAll(framer: SipStreamFramer, chunks: Buffer[]): string[] {
  return chunks.flatMap((chunk) => framer.push(chunk)).map(text);
}

function text(bytes: Buffer): string {
  return bytes.toString('latin1');
}

describe('SipStreamFramer', () => {
  it('yields one message whatever single split point the stream has', () => {
    for (let at = 0; at <= gb2312Catalog.length; at++) {
      const framer = new SipStreamFramer();
      const out = pushAll(framer, [gb2312Catalog.subarray(0, at), gb2312Catalog.subarray(at)]);
      expect(out, `split at ${at}`).toEqual([text(gb2312Catalog)]);
      expect(framer.bufferedBytes).toBe(0);
    }
  });

  it('yields both messages of a merged pair at every split point, in order', () => {
    for (let at = 0; at <= pair.length; at++) {
      const out = pushAll(new SipStreamFramer(), [pair.subarray(0, at), pair.subarray(at)]);
      expect(out, `split at ${at}`).toEqual([text(dahuaKeepalive), text(wvpInvite)]);
    }
  });

  it('handles a stream fed one byte at a time', () => {
    const framer = new SipStreamFramer();
    const out = pushAll(
      framer,
      [...pair].map((byte) => Buffer.from([byte])),
    );
    expect(out).toEqual([text(dahuaKeepalive), text(wvpInvite)]);
  });

  it('yields several messages merged in one segment', () => {
    const out = pushAll(new SipStreamFramer(), [
      Buffer.concat([cameraRegister, wvpInvite, dahuaKeepalive, cameraRegister]),
    ]);
    expect(out).toEqual([cameraRegister, wvpInvite, dahuaKeepalive, cameraRegister].map(text));
  });

  it('skips CRLF keep-alive pings before, between and after messages, even split', () => {
    const stream = Buffer.concat([
      Buffer.from('\r\n\r\n'),
      cameraRegister,
      Buffer.from('\r\n\r\n\r\n'),
      dahuaKeepalive,
      Buffer.from('\r\n'),
    ]);
    for (let at = 0; at <= stream.length; at += 7) {
      const framer = new SipStreamFramer();
      expect(pushAll(framer, [stream.subarray(0, at), stream.subarray(at)])).toEqual([
        text(cameraRegister),
        text(dahuaKeepalive),
      ]);
      expect(framer.bufferedBytes).toBe(0);
    }
  });

  it('reads compact `l:` and treats a missing Content-Length as 0', () => {
    const compact = Buffer.from(
      'MESSAGE sip:a@b SIP/2.0\r\nv: SIP/2.0/TCP h;branch=z9hG4bK1\r\nf: <sip:c@d>;tag=1\r\nt: <sip:a@b>\r\ni: x\r\n' +
        'CSeq: 1 MESSAGE\r\nl: 3\r\n\r\nabc',
    );
    const noLength = Buffer.from(
      'OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK2\r\nFrom: <sip:c@d>;tag=1\r\nTo: <sip:a@b>\r\n' +
        'Call-ID: y\r\nCSeq: 1 OPTIONS\r\n\r\n',
    );
    const out = new SipStreamFramer().push(Buffer.concat([compact, noLength]));
    expect(out.map(text)).toEqual([compact, noLength].map(text));
    expect(parseMessage(out[0]!).body.toString()).toBe('abc');
  });

  it('keeps an incomplete message buffered until the rest arrives', () => {
    const framer = new SipStreamFramer();
    expect(framer.push(wvpInvite.subarray(0, wvpInvite.length - 1))).toEqual([]);
    expect(framer.bufferedBytes).toBe(wvpInvite.length - 1);
    expect(pushAll(framer, [wvpInvite.subarray(wvpInvite.length - 1)])).toEqual([text(wvpInvite)]);
  });

  it('fails, and stays failed, when headers never end within the cap', () => {
    const framer = new SipStreamFramer({ maxMessageBytes: 1024 });
    const line = Buffer.from('X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n');
    expect(() => {
      for (let i = 0; i < 100; i++) framer.push(line);
    }).toThrow(SipFramingError);
    expect(() => framer.push(cameraRegister)).toThrow(SipFramingError);
  });

  it('fails on a Content-Length announcing more than the cap, before buffering the body', () => {
    const framer = new SipStreamFramer({ maxMessageBytes: 1024 });
    const head = 'MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 999999\r\n\r\n';
    expect(() => framer.push(Buffer.from(head))).toThrow(
      expect.objectContaining({ reason: 'message-too-large' }),
    );
  });

  it('fails on an unreadable or conflicting Content-Length', () => {
    expect(() =>
      new SipStreamFramer().push(Buffer.from('A sip:a SIP/2.0\r\nContent-Length: x\r\n\r\n')),
    ).toThrow(expect.objectContaining({ reason: 'bad-content-length' }));
    expect(() =>
      new SipStreamFramer().push(Buffer.from('A sip:a SIP/2.0\r\nContent-Length: 1\r\nl: 2\r\n\r\nab')),
    ).toThrow(expect.objectContaining({ reason: 'bad-content-length' }));
  });

  it('processes many complete messages in one big chunk without tripping the cap', () => {
    const many = Buffer.concat(Array.from({ length: 200 }, () => cameraRegister));
    expect(many.length).toBeGreaterThan(64 * 1024);
    expect(new SipStreamFramer().push(many)).toHaveLength(200);
  });
});
