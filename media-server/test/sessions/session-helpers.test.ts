import { describe, expect, it } from 'vitest';
import { PortsExhaustedError } from '../../src/errors';
import { PortPool } from '../../src/servers/rtp/port-pool';
import { GbSsrcAllocator, gbSsrcFromText } from '../../src/sessions/gb-ssrc';
import { preferH264 } from '../../src/webrtc/h264-offer';
import { RtpTimeline } from '../../src/webrtc/rtp-timeline';

describe('GbSsrcAllocator', () => {
  it("builds '0' + realm digits 4–8 + a 4-digit index, never two alike at once", () => {
    const ssrcs = new GbSsrcAllocator();
    const a = ssrcs.allocate('3402000000');
    const b = ssrcs.allocate('3402000000');
    expect(a).toEqual({ text: '0200000001', value: 200000001 });
    expect(b.text).toBe('0200000002');
    ssrcs.release(a);
    expect(ssrcs.allocate('3402000000').text).toBe('0200000003');
    expect(gbSsrcFromText('1100008888').value).toBe(1100008888);
    expect(() => gbSsrcFromText('9999999999')).toThrow(/32 bits/);
    expect(() => ssrcs.allocate('34-02')).toThrow(/8 digits/);
  });
});

describe('PortPool', () => {
  it('rotates through the range, skips taken ports and reports exhaustion', async () => {
    const pool = new PortPool({ min: 100, max: 102 });
    const taken = new Set([101]);
    const bind = async (port: number) => (taken.has(port) ? undefined : port);
    const first = await pool.acquire(bind);
    const second = await pool.acquire(bind);
    expect([first.port, second.port]).toEqual([100, 102]);
    await expect(pool.acquire(bind)).rejects.toBeInstanceOf(PortsExhaustedError);
    first.release();
    first.release();
    expect((await pool.acquire(bind)).port).toBe(100);
  });
});

describe('RtpTimeline', () => {
  it('squeezes the start burst, then follows the PTS, bridging gaps and wraps', () => {
    const t = new RtpTimeline({ initial: 1000 });
    expect(t.burst([0, 3600, 7200])).toEqual([1000, 1001, 1002]);
    expect(t.next(10_800)).toBe(1002 + 3600);
    expect(t.next(undefined)).toBe(1002 + 7200); // no PTS: last interval
    expect(t.next(18_000)).toBe(1002 + 10_800);
    expect(t.next(5)).toBe(1002 + 14_400); // backwards: discontinuity, last interval
    expect(t.next(3605)).toBe(1002 + 18_000);
    const wrap = new RtpTimeline({ initial: 2 ** 32 - 10 });
    wrap.burst([2 ** 33 - 1800]);
    expect(wrap.next(1800)).toBe(3590); // both the 33-bit PTS and the 32-bit RTP clock wrap
  });
});

describe('preferH264', () => {
  const offer = [
    'v=0',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111',
    'a=rtpmap:111 opus/48000/2',
    'm=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103',
    'a=rtpmap:96 VP8/90000',
    'a=rtcp-fb:96 nack',
    'a=rtpmap:97 rtx/90000',
    'a=fmtp:97 apt=96',
    'a=rtpmap:102 H264/90000',
    'a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f',
    'a=rtpmap:103 H264/90000',
    'a=rtcp-fb:103 nack pli',
    'a=fmtp:103 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
    'a=mid:1',
    'a=ssrc:3232327854 cname:viewer',
    '',
  ].join('\r\n');

  it('keeps only the H.264 payload type in packetization-mode 1', () => {
    const out = preferH264(offer, undefined);
    expect(out).toContain('m=video 9 UDP/TLS/RTP/SAVPF 103\r\n');
    expect(out).not.toMatch(/a=(rtpmap|fmtp|rtcp-fb):(96|97|102) /);
    expect(out).toContain('a=rtcp-fb:103 nack pli');
    expect(out).toContain('a=mid:1');
    expect(out).not.toContain('a=ssrc:');
    expect(out).toContain('a=rtpmap:111 opus/48000/2');
  });

  it('refuses offers it cannot serve', () => {
    expect(() => preferH264('v=0\r\nm=audio 9 RTP/AVP 0\r\n', undefined)).toThrow(/no video/);
    expect(() =>
      preferH264(offer.replace('packetization-mode=1', 'packetization-mode=0'), undefined),
    ).toThrow(/packetization-mode=1/);
  });
});
