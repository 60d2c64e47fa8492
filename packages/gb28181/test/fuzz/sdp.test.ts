import { fuzz, Mutator } from '@tessera/testkit';
import { describe, expect, it } from 'vitest';
import { MAX_SDP_BYTES, parseAnswer, parseSdp, SdpParseError, writeSdp } from '../../src/sdp';
import { vectors } from '../sdp/vectors';

/**
 * Fuzz stage, SDP (RFC 4566 with GB/T 28181's y= and f= lines): mutations of the offers and answers of real
 * platforms and cameras through the session parser and the GB answer reader.
 */
const mutator = new Mutator({
  corpus: vectors.map((vector) => Buffer.from(vector.body, 'latin1')),
  tokens: [
    '\r\n',
    '\n',
    'm=video 65536 RTP/AVP 96\r\n',
    'm=video 0 TCP/RTP/AVP 96\r\n',
    'c=IN IP6 ::1\r\n',
    'a=rtpmap:96 PS/90000\r\n',
    'a=rtpmap:4294967296 H264/90000\r\n',
    'a=setup:active\r\n',
    'a=connection:new\r\n',
    'y=0100008888\r\n',
    'y=99999999999\r\n',
    'f=v/2/5/25/1/4096a///\r\n',
    't=0 0\r\n',
    '=',
    ' ',
    '\u0000',
  ],
});

describe('fuzz: SDP', () => {
  it('parseSdp and parseAnswer: only SdpParseError escapes; what parses writes and parses again', () => {
    const report = fuzz({
      target: 'sdp parse',
      mutator,
      iterations: 4_000,
      run: (input) => {
        let session: ReturnType<typeof parseSdp>;
        try {
          session = parseSdp(input);
        } catch (error) {
          if (error instanceof SdpParseError) return 'rejected';
          throw error;
        }
        const written = writeSdp(session);
        if (written.length > MAX_SDP_BYTES * 2) throw new Error(`wrote ${written.length} B`);
        parseSdp(written);
        try {
          parseAnswer(input);
        } catch (error) {
          if (!(error instanceof SdpParseError)) throw error;
        }
        return 'accepted';
      },
    });
    expect(report.accepted).toBeGreaterThan(0);
    expect(report.rejected).toBeGreaterThan(0);
  });
});
