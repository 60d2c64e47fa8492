import { describe, expect, it } from 'vitest';
import { RtpSourceLatch } from '../../src/sessions/rtp-source-latch';

const DEVICE = { host: '10.0.0.5', port: 15060 };
const from = (address: string, port: number) => ({ address, port });

/** Feeds `count` packets in sequence of one stream to the latch's probation. */
function stream(
  latch: RtpSourceLatch,
  address: string,
  port: number,
  ssrc: number,
  count = 2,
  seq = 100,
): void {
  for (let i = 0; i < count; i++) latch.observe({ address, port, ssrc }, (seq + i) & 0xffff);
}

describe('RtpSourceLatch', () => {
  it('a second SSRC or source never takes over while the first stream lives', () => {
    const latch = new RtpSourceLatch({ offered: 1 });
    latch.answer(DEVICE, 2);
    stream(latch, '10.0.0.5', 6000, 7); // an SSRC matching neither: still the device
    expect(latch.latchBest()).toEqual({ address: '10.0.0.5', port: 6000, ssrc: 7 });
    expect(latch.accept(from('10.0.0.5', 6000), 7)).toBe('accept');
    expect(latch.accept(from('10.0.0.5', 6000), 2)).toBe('foreign-ssrc'); // even the answered one
    expect(latch.accept(from('10.0.0.9', 6000), 7)).toBe('foreign-source');
    // No clock: however long the first stream was silent, another never takes over (the media timeout ends it).
    expect(latch.accept(from('10.0.0.5', 6000), 9)).toBe('foreign-ssrc');
    expect(latch).toMatchObject({ foreignSsrcPackets: 2, foreignSourcePackets: 1, switches: 0 });
    expect(latch.current).toEqual({ address: '10.0.0.5', port: 6000, ssrc: 7 });
  });

  it('latches nothing before the answer, nor a stray packet (RFC 3550 probation: two in sequence)', () => {
    const latch = new RtpSourceLatch({ offered: 1 });
    stream(latch, '10.0.0.5', 6000, 1);
    expect(latch.latchBest()).toBeUndefined();
    latch.answer(DEVICE, undefined);
    expect(latch.latchBest()).toEqual({ address: '10.0.0.5', port: 6000, ssrc: 1 });

    const strays = new RtpSourceLatch({ offered: 1 });
    strays.answer(DEVICE, undefined);
    strays.observe({ address: '10.0.0.5', port: 6000, ssrc: 0xdead }, 5);
    strays.observe({ address: '10.0.0.5', port: 6000, ssrc: 0xdead }, 9);
    for (let i = 0; i < 100; i++) strays.observe({ address: '10.0.0.9', port: i, ssrc: i }, i); // a flood
    expect(strays.latchBest()).toBeUndefined();
    stream(strays, '10.0.0.5', 6000, 1);
    expect(strays.latchBest()).toMatchObject({ ssrc: 1 });
  });

  it('follows the same SSRC to another port of the same host (NAT rebinding, TCP reconnect)', () => {
    const latch = new RtpSourceLatch({ offered: 1 });
    latch.answer(DEVICE, undefined);
    stream(latch, '10.0.0.5', 6000, 1);
    latch.latchBest();
    expect(latch.accept(from('10.0.0.5', 6002), 1)).toBe('latch');
    expect(latch.accept(from('10.0.0.5', 6000), 1)).toBe('latch');
    expect(latch.accept(from('10.0.0.5', 6002), 3)).toBe('foreign-source');
  });

  it('latches a NAT source once, and yields only to the host the device announced', () => {
    const latch = new RtpSourceLatch({ offered: 1 });
    latch.answer({ host: '192.168.1.64', port: 15060 }, undefined);
    stream(latch, '203.0.113.7', 40000, 1);
    expect(latch.latchBest()).toMatchObject({ address: '203.0.113.7' });
    expect(latch.accept(from('198.51.100.1', 40000), 1)).toBe('foreign-source');
    expect(latch.accept(from('192.168.1.64', 15060), 5)).toBe('latch');
    expect(latch.accept(from('203.0.113.7', 40000), 1)).toBe('foreign-source');
    expect(latch.switches).toBe(1);
  });

  it('without an announced host (a 200 OK with no SDP) the first valid stream is latched for good', () => {
    const latch = new RtpSourceLatch({ offered: 1 });
    latch.answer({ host: '', port: 0 }, undefined);
    expect(latch.trusted('')).toBe(false);
    stream(latch, '203.0.113.7', 40000, 1);
    expect(latch.latchBest()).toMatchObject({ address: '203.0.113.7' });
    expect(latch.accept(from('10.0.0.5', 6000), 1)).toBe('foreign-source');
  });

  it('ranks the streams held during the INVITE: announced host, then an expected SSRC, then the first', () => {
    const held = (latch: RtpSourceLatch) => {
      stream(latch, '198.51.100.1', 1, 99);
      stream(latch, '198.51.100.2', 2, 1);
      stream(latch, '10.0.0.5', 3, 42);
    };
    const device = new RtpSourceLatch({ offered: 1 });
    held(device);
    device.answer(DEVICE, undefined);
    expect(device.latchBest()).toMatchObject({ address: '10.0.0.5' });
    const nat = new RtpSourceLatch({ offered: 1 });
    held(nat);
    nat.answer({ host: '192.168.1.64', port: 1 }, undefined);
    expect(nat.latchBest()).toMatchObject({ address: '198.51.100.2' });
    const neither = new RtpSourceLatch({ offered: 5 });
    held(neither);
    neither.answer({ host: '192.168.1.64', port: 1 }, undefined);
    expect(neither.latchBest()).toMatchObject({ address: '198.51.100.1' });
    expect(neither.accept(from('198.51.100.2', 2), 1)).toBe('foreign-source');
  });
});
