import { describe, expect, it } from 'vitest';
import {
  mediaDirection,
  mediaSetup,
  parseAnswer,
  parseSdp,
  rtpMaps,
  SdpParseError,
  sessionKind,
  writeSdp,
} from '../../src/sdp';
import {
  cameraTcpAnswer,
  dahuaAnswer,
  standardDownloadOffer,
  vectors,
  wvpPlaybackOffer,
  wvpUdpOffer,
} from './vectors';

describe('SDP parse', () => {
  it('reads the wvp live offer: one video m-line, four rtpmaps, recvonly, y=', () => {
    const session = parseSdp(wvpUdpOffer.body);
    expect(session).toMatchObject({
      version: '0',
      origin: '34020000002000000001 0 0 IN IP4 10.0.0.5',
      sessionName: 'Play',
      uri: null,
      connection: { netType: 'IN', addrType: 'IP4', address: '10.0.0.5' },
      timing: { start: 0, stop: 0 },
      ssrc: '0100008888',
      format: null,
    });
    const media = session.media[0]!;
    expect(media).toMatchObject({
      media: 'video',
      port: 30000,
      protocol: 'RTP/AVP',
      formats: ['96', '97', '98', '99'],
    });
    expect(rtpMaps(media)).toEqual([
      { payloadType: 96, encoding: 'PS', clockRate: 90000 },
      { payloadType: 98, encoding: 'H264', clockRate: 90000 },
      { payloadType: 97, encoding: 'MPEG4', clockRate: 90000 },
      { payloadType: 99, encoding: 'H265', clockRate: 90000 },
    ]);
    expect(mediaDirection(session, media)).toBe('recvonly');
    expect(mediaSetup(session, media)).toBeNull();
  });

  it('keeps the Dahua vendor lines (i=, a=streamprofile, a=streamnumber, f=) and reads LF-only bodies', () => {
    const session = parseSdp(dahuaAnswer.body);
    expect(session.other).toEqual([{ type: 'i', value: 'VCam Live Video' }]);
    expect(session.media[0]!.attributes).toContainEqual({ name: 'streamprofile', value: '0' });
    expect(session.media[0]!.attributes).toContainEqual({ name: 'streamnumber', value: '0' });
    expect(session.format).toBe('v/0/0/0/0/0a/0/0/0');
    expect(session.ssrc).toBe('0200005549');
  });

  it('reads playback (u=, t= in Unix seconds) and the standard spelling DoWnload case-insensitively', () => {
    const playback = parseSdp(wvpPlaybackOffer.body);
    expect(sessionKind(playback)).toBe('Playback');
    expect(playback.uri).toBe('34020000001320000001:0');
    expect(playback.timing).toEqual({ start: 1700000000, stop: 1700003600 });
    expect(mediaSetup(playback, playback.media[0]!)).toBe('passive');
    const download = parseSdp(standardDownloadOffer.body);
    expect(sessionKind(download)).toBe('Download');
    expect(download.format).toBe('v/2/4///a///');
    expect(download.media[0]!.attributes).toContainEqual({ name: 'downloadspeed', value: '4' });
  });

  it('takes lines in any order: y= and f= before m=, c= after m=, t= after the media, blank lines', () => {
    const session = parseSdp(
      'y=0200000001\nf=\nv=0\ns=play\n\nm=video 5000 RTP/AVP 96\nc=IN IP4 10.1.1.1\nt=0 0\na=sendonly\n',
    );
    expect(session.ssrc).toBe('0200000001');
    expect(session.format).toBe('');
    expect(sessionKind(session)).toBe('Play');
    expect(session.timing).toEqual({ start: 0, stop: 0 });
    expect(session.media[0]!.connection?.address).toBe('10.1.1.1');
    expect(session.media[0]!.attributes).toEqual([{ name: 'sendonly', value: null }]);
  });

  for (const vector of vectors) {
    it(`round-trips ${vector.name} (${vector.source})`, () => {
      const parsed = parseSdp(vector.body);
      const written = writeSdp(parsed);
      expect(parseSdp(written)).toEqual(parsed);
      expect(written.endsWith('\r\n')).toBe(true);
    });
  }

  it('writes the wvp offer back byte for byte', () => {
    expect(writeSdp(parseSdp(wvpUdpOffer.body))).toBe(wvpUdpOffer.body);
    expect(writeSdp(parseSdp(cameraTcpAnswer.body))).toBe(cameraTcpAnswer.body);
  });

  const bad: [string, string, string][] = [
    ['empty', '', 'empty'],
    ['only blank lines', '\r\n\r\n', 'empty'],
    ['not a type=value line', 'v=0\r\nhello\r\n', 'bad-line'],
    ['bad version', 'v=x\r\n', 'bad-version'],
    ['c= without address', 'v=0\r\nc=IN IP4\r\n', 'bad-connection'],
    ['t= not numeric', 'v=0\r\nt=now later\r\n', 'bad-timing'],
    ['m= without protocol', 'v=0\r\nm=video 5000\r\n', 'bad-media'],
    ['m= port out of range', 'v=0\r\nm=video 70000 RTP/AVP 96\r\n', 'bad-media'],
    ['NUL byte', 'v=0\r\n\0', 'not-text'],
    ['oversized', `v=0\r\n${'a=x\r\n'.repeat(5000)}`, 'too-large'],
  ];
  for (const [what, body, reason] of bad) {
    it(`rejects ${what} with SdpParseError(${reason})`, () => {
      expect(() => parseSdp(body)).toThrowError(expect.objectContaining({ reason }));
      expect(() => parseSdp(body)).toThrow(SdpParseError);
    });
  }
});

describe('parseAnswer', () => {
  const table: {
    vector: string;
    body: string;
    expected: ReturnType<typeof parseAnswer>;
  }[] = [
    {
      vector: cameraTcpAnswer.name,
      body: cameraTcpAnswer.body,
      expected: {
        host: '192.168.3.99',
        port: 15060,
        transport: 'tcp',
        ssrc: '0200007585',
        setup: 'active',
        payloadTypes: [96],
        fileSize: 0,
      },
    },
    {
      vector: dahuaAnswer.name,
      body: dahuaAnswer.body,
      expected: {
        host: '192.168.1.108',
        port: 20002,
        transport: 'udp',
        ssrc: '0200005549',
        setup: null,
        payloadTypes: [96],
        fileSize: null,
      },
    },
    {
      vector: 'no c=, address from o=, y= without its leading zero, media-level setup:passive',
      body: 'v=0\no=dev 0 0 IN IP4 172.16.0.9\ns=Play\nt=0 0\nm=video 6000 TCP/RTP/AVP 96\na=setup:passive\ny=200000001\n',
      expected: {
        host: '172.16.0.9',
        port: 6000,
        transport: 'tcp',
        ssrc: '0200000001',
        setup: 'passive',
        payloadTypes: [96],
        fileSize: null,
      },
    },
    {
      vector: 'media c= wins over session c=; a y= that is no SSRC is null',
      body: 'v=0\ns=Play\nc=IN IP4 1.1.1.1\nm=video 7000 RTP/AVP 96 98\nc=IN IP4 2.2.2.2\ny=abc\n',
      expected: {
        host: '2.2.2.2',
        port: 7000,
        transport: 'udp',
        ssrc: null,
        setup: null,
        payloadTypes: [96, 98],
        fileSize: null,
      },
    },
  ];
  for (const row of table) {
    it(`reads ${row.vector}`, () => {
      expect(parseAnswer(row.body)).toEqual(row.expected);
      expect(parseAnswer(Buffer.from(row.body))).toEqual(row.expected);
    });
  }

  it('an answer without media or without any address is an SdpParseError', () => {
    expect(() => parseAnswer('v=0\r\ns=Play\r\nc=IN IP4 1.1.1.1\r\n')).toThrowError(
      expect.objectContaining({ reason: 'no-media' }),
    );
    expect(() => parseAnswer('v=0\r\ns=Play\r\nm=video 1 RTP/AVP 96\r\n')).toThrowError(
      expect.objectContaining({ reason: 'no-connection' }),
    );
  });
});
