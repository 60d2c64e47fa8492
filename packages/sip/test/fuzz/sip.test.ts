import { fuzz, Mutator, randomInt } from '@tessera/testkit';
import { describe, expect, it } from 'vitest';
import {
  defaultSipLimits,
  getCallId,
  getCSeq,
  getFrom,
  getTo,
  getTopVia,
  type SipMessage,
  parseChallenge,
  parseCredentials,
  parseCSeq,
  parseExpires,
  parseMessage,
  parseNameAddr,
  parseUri,
  parseVia,
  SipAuthError,
  SipFramingError,
  SipParseError,
  SipStreamFramer,
  salvageRequest,
  serializeMessage,
} from '../../src';
import { wireTable } from '../support/wire-messages';

/**
 * Fuzz stage, SIP (RFC 3261 §7 messages, §18.3 stream framing): mutations of the wire table — real device and
 * platform messages, the sbgb28181 and srs-bench captures — through the codec and the TCP framer.
 */
const corpus = wireTable().map((entry) => entry.bytes);
const mutator = new Mutator({
  corpus,
  tokens: [
    '\r\n',
    '\r\n\r\n',
    ';branch=z9hG4bK',
    'Content-Length: ',
    'l: ',
    'Via: SIP/2.0/UDP ',
    'v: SIP/2.0/TCP [::1]:5060;rport',
    'From: "x\\"y" <sip:a@b>;tag=',
    'To: <sip:34020000001320000001@3402000000>',
    'CSeq: 4294967296 REGISTER',
    'Call-ID: ',
    'Authorization: Digest username="',
    ',',
    '"',
    '<',
    '>',
    '%00',
    ' ',
    '\t',
  ],
});

describe('fuzz: SIP', () => {
  it('parseMessage: only SipParseError (never "internal") escapes; what parses serializes and parses again', () => {
    const report = fuzz({
      target: 'sip parseMessage',
      mutator,
      iterations: 4_000,
      run: (input) => {
        let message: ReturnType<typeof parseMessage>;
        try {
          message = parseMessage(input);
        } catch (error) {
          if (error instanceof SipParseError && error.reason !== 'internal') return 'rejected';
          throw error;
        }
        const again = parseMessage(serializeMessage(message));
        // What the transaction layer reads first (RFC 3261 §17.2.3 matching, §8.1.1 mandatory fields) reads the
        // same from both, or fails with the typed error — never a TypeError deep in a getter.
        const ids = (m: SipMessage) =>
          [getCallId, getCSeq, getTopVia, getFrom, getTo].map((read) => {
            try {
              return JSON.stringify(read(m));
            } catch (error) {
              if (error instanceof SipParseError) return `SipParseError ${error.reason}`;
              throw error;
            }
          });
        expect(ids(again)).toEqual(ids(message));
        expect(again.kind === 'request' ? again.method : again.status).toBe(
          message.kind === 'request' ? message.method : message.status,
        );
        // A body never grows past what was received.
        if (message.body.length > input.length || again.body.length !== message.body.length) {
          throw new Error(`body ${message.body.length} B from ${input.length} B of input`);
        }
        return 'accepted';
      },
    });
    expect(report.accepted).toBeGreaterThan(0);
    expect(report.rejected).toBeGreaterThan(0);
  });

  it('SipStreamFramer: only SipFramingError escapes; bytes out + bytes buffered never exceed bytes in', () => {
    const report = fuzz({
      target: 'sip stream framer',
      mutator,
      iterations: 2_000,
      run: (input, random) => {
        // A TCP stream: several mutated messages back to back, read in random chunks.
        const stream = Buffer.concat([input, corpus[randomInt(random, corpus.length)]!, input]);
        const framer = new SipStreamFramer();
        let out = 0;
        try {
          for (let at = 0; at < stream.length; ) {
            const size = 1 + randomInt(random, 1500);
            for (const message of framer.push(stream.subarray(at, at + size))) out += message.length;
            at += size;
            if (framer.bufferedBytes > defaultSipLimits.maxMessageBytes + size) {
              throw new Error(`framer holds ${framer.bufferedBytes} B`);
            }
          }
        } catch (error) {
          if (error instanceof SipFramingError) return 'rejected';
          throw error;
        }
        if (out + framer.bufferedBytes > stream.length) {
          throw new Error(`${out} B framed + ${framer.bufferedBytes} B buffered from ${stream.length} B`);
        }
        return 'accepted';
      },
    });
    expect(report.accepted).toBeGreaterThan(0);
  });

  it('salvageRequest (the 400 path for what parseMessage refused): never throws; a salvage carries only its 5 headers', () => {
    const report = fuzz({
      target: 'sip salvage',
      mutator,
      iterations: 3_000,
      run: (input) => {
        const request = salvageRequest(input);
        if (request === undefined) return 'rejected';
        if (request.body.length !== 0) throw new Error('a salvaged request carries a body');
        return 'accepted';
      },
    });
    expect(report.accepted).toBeGreaterThan(0);
  });

  it('header grammars (Via, From/To/Contact, Request-URI, CSeq, Expires, Authorization, WWW-Authenticate): only SipParseError or SipAuthError', () => {
    // The header values of the wire table, each fed to the grammar that reads it.
    const grammars: Record<string, (value: string) => unknown> = {
      via: parseVia,
      v: parseVia,
      from: parseNameAddr,
      f: parseNameAddr,
      to: parseNameAddr,
      t: parseNameAddr,
      contact: parseNameAddr,
      m: parseNameAddr,
      route: parseNameAddr,
      cseq: parseCSeq,
      expires: parseExpires,
      authorization: parseCredentials,
      'www-authenticate': parseChallenge,
    };
    const fields: { name: string; value: Buffer }[] = [];
    for (const bytes of corpus) {
      const text = bytes.toString('latin1');
      for (const line of text
        .slice(0, text.indexOf('\r\n\r\n') >>> 0)
        .split('\r\n')
        .slice(1)) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).trim().toLowerCase();
        if (colon > 0 && grammars[name])
          fields.push({ name, value: Buffer.from(line.slice(colon + 1), 'latin1') });
      }
      const uri = /^[A-Z]+ (\S+) SIP\/2\.0/.exec(text)?.[1];
      if (uri) fields.push({ name: 'uri', value: Buffer.from(uri, 'latin1') });
    }
    const byValue = new Map(fields.map((f) => [f.value.toString('latin1'), f.name]));
    const grammarOf = (index: number) => fields[index % fields.length]!.name;
    const report = fuzz({
      target: 'sip header grammars',
      mutator: new Mutator({
        corpus: fields.map((f) => f.value),
        tokens: [
          ';',
          ',',
          '"',
          '\\',
          '<',
          '>',
          '=',
          '@',
          ':',
          '[',
          ']',
          ' ',
          'sip:',
          'sips:',
          'tel:',
          'Digest ',
        ],
      }),
      iterations: 5_000,
      run: (input, random) => {
        const text = input.toString('latin1');
        const name = byValue.get(text) ?? grammarOf(Math.floor(random() * fields.length));
        try {
          (name === 'uri' ? parseUri : grammars[name]!)(text);
          return 'accepted';
        } catch (error) {
          if (error instanceof SipParseError || error instanceof SipAuthError) return 'rejected';
          throw error;
        }
      },
    });
    expect(fields.length).toBeGreaterThan(20);
    expect(report.accepted).toBeGreaterThan(0);
    expect(report.rejected).toBeGreaterThan(0);
  });
});
