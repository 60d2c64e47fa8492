import { describe, expect, it } from 'vitest';
import { getCSeq, getTo, getVias, parseMessage, SipStreamFramer, type SipMessage } from '../src';
import { listSipFixtures, loadSipFixture } from './fixtures/fixtures';
import { srsBenchSipStreams } from './support/wire-messages';

describe('SIP fixtures', () => {
  it('all match their recorded SHA-256', () => {
    expect(listSipFixtures().length).toBeGreaterThanOrEqual(3);
    for (const name of listSipFixtures()) expect(() => loadSipFixture(name), name).not.toThrow();
  });
});

function frame(segments: Buffer[]): SipMessage[] {
  const framer = new SipStreamFramer();
  const messages = segments.flatMap((segment) => framer.push(segment)).map((bytes) => parseMessage(bytes));
  expect(framer.bufferedBytes).toBe(0);
  return messages;
}

describe('srs-bench ↔ SRS over TCP, framed at the captured segment boundaries', () => {
  const { fromDevice, fromSrs } = srsBenchSipStreams();

  it('device → SRS: REGISTER, 100 and 200 to the INVITE, keepalive', () => {
    const messages = frame(fromDevice);
    expect(messages.map((m) => (m.kind === 'request' ? m.method : m.status))).toEqual([
      'REGISTER',
      100,
      200,
      'MESSAGE',
    ]);
    const ok = messages[2]!;
    // srs-bench answers the INVITE with 200 OK without SDP and without a To-tag.
    expect(ok.body.length).toBe(0);
    expect(getTo(ok).tag).toBeUndefined();
    const keepalive = messages[3]!;
    // …and its keepalive reuses the REGISTER's branch in a duplicated Via, with no Content-Type.
    expect(getVias(keepalive)[0]!.branch).toBe(getVias(messages[0]!)[0]!.branch);
    expect(keepalive.headers.has('Content-Type')).toBe(false);
  });

  it('SRS → device: 200 to REGISTER, INVITE whose body is its own segment, ACK, 200 to the keepalive', () => {
    const messages = frame(fromSrs);
    expect(messages.map((m) => (m.kind === 'request' ? m.method : m.status))).toEqual([
      200,
      'INVITE',
      'ACK',
      200,
    ]);
    const invite = messages[1]!;
    expect(invite.body.toString()).toContain('m=video 9000 TCP/RTP/AVP 96');
    expect(invite.headers.get('Subject')).toBe('34020000007317077037:0200000496,34020000002000000001:0');
    expect(getCSeq(messages[2]!)).toEqual({ seq: 882, method: 'ACK' });
  });
});
