import { fuzz, Mutator, randomInt } from '@tessera/testkit';
import { describe, expect, it } from 'vitest';
import {
  defaultSipLimits,
  parseMessage,
  SipFramingError,
  SipParseError,
  SipStreamFramer,
  serializeMessage,
} from '../../src/sip';
import { wireTable } from '../sip/support/wire-messages';

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
});
