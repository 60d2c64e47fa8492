import { describe, expect, it } from 'vitest';
import {
  buildOffer,
  gbSsrcToRtp,
  normalizeGbSsrc,
  parseSdp,
  rtpSsrcToGb,
  SdpBuildError,
} from '../../src/sdp';
import { wvpUdpOffer } from './vectors';

const base = {
  originId: '34020000002000000001',
  channelId: '34020000001320000001',
  mediaHost: '10.0.0.5',
  mediaPort: 30000,
};

describe('buildOffer', () => {
  it('writes the live UDP offer exactly as wvp does', () => {
    expect(buildOffer({ ...base, sessionName: 'Play', transport: 'udp', ssrc: '0100008888' })).toBe(
      wvpUdpOffer.body,
    );
  });

  it('tcp-passive: we listen, so a=setup:passive + a=connection:new on TCP/RTP/AVP', () => {
    const body = buildOffer({ ...base, sessionName: 'Play', transport: 'tcp-passive', ssrc: '0100008888' });
    expect(body).toContain('m=video 30000 TCP/RTP/AVP 96 97 98 99\r\n');
    expect(body).toContain(
      'a=rtpmap:99 H265/90000\r\na=setup:passive\r\na=connection:new\r\ny=0100008888\r\n',
    );
  });

  it('tcp-active: we connect, so a=setup:active', () => {
    const body = buildOffer({ ...base, sessionName: 'Play', transport: 'tcp-active', ssrc: '0100008888' });
    expect(body).toContain('a=setup:active\r\na=connection:new\r\n');
  });

  it('playback: s=Playback, u=<channel>:0, t= in Unix seconds', () => {
    const session = parseSdp(
      buildOffer({
        ...base,
        sessionName: 'Playback',
        transport: 'udp',
        ssrc: '1100000001',
        startTime: 1700000000,
        endTime: 1700003600,
      }),
    );
    expect(session).toMatchObject({
      sessionName: 'Playback',
      uri: '34020000001320000001:0',
      timing: { start: 1700000000, stop: 1700003600 },
      ssrc: '1100000001',
    });
  });

  it('download: s=Download with a=downloadspeed', () => {
    const body = buildOffer({
      ...base,
      sessionName: 'Download',
      transport: 'udp',
      ssrc: '1100000002',
      startTime: 1700000000,
      endTime: 1700000600,
      downloadSpeed: 4,
    });
    expect(body).toContain('s=Download\r\n');
    expect(body).toContain('a=downloadspeed:4\r\n');
  });

  it('IPv6 media address gets IN IP6', () => {
    const body = buildOffer({
      ...base,
      mediaHost: 'fd00::5',
      sessionName: 'Play',
      transport: 'udp',
      ssrc: '0100000001',
    });
    expect(body).toContain('c=IN IP6 fd00::5\r\n');
  });

  it('refuses what cannot be sent: bad y=, port, host, time range', () => {
    const play = { ...base, sessionName: 'Play' as const, transport: 'udp' as const };
    expect(() => buildOffer({ ...play, ssrc: '123' })).toThrow(SdpBuildError);
    expect(() => buildOffer({ ...play, ssrc: '0100000001', mediaPort: 70000 })).toThrow(SdpBuildError);
    expect(() => buildOffer({ ...play, ssrc: '0100000001', mediaHost: 'a b' })).toThrow(SdpBuildError);
    expect(() =>
      buildOffer({ ...play, sessionName: 'Playback', ssrc: '1100000001', startTime: 10, endTime: 5 }),
    ).toThrow(SdpBuildError);
  });
});

describe('GB/T 28181 SSRC', () => {
  it('y= ↔ RTP SSRC as the decimal value', () => {
    expect(gbSsrcToRtp('0100008888')).toBe(100008888);
    expect(rtpSsrcToGb(100008888)).toBe('0100008888');
    expect(normalizeGbSsrc(' 100008888 ')).toBe('0100008888');
    expect(normalizeGbSsrc('4294967296')).toBeNull();
    expect(normalizeGbSsrc('12345678901')).toBeNull();
    expect(normalizeGbSsrc(null)).toBeNull();
  });
});
