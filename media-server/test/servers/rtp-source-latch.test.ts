import { ManualClock } from '@tessera/kit';
import { freePort, waitFor } from '@tessera/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchDir } from '@tessera/media-protocols/testing';
import { encodeTestVideo, GbDevice, type TestVideo, tcpConnect, udpSender } from '../support/gb-device';
import { startTestMediaServer, type TestMediaServer } from '../support/media-server';

const REALM = '3402000000';
const CHANNEL = '34020000001320000001';
const T = { timeoutMs: 5000 };
/** The camera sends from 127.0.0.1; strangers from other loopback addresses (Linux routes all of 127/8 locally). */
const STRANGER = '127.0.0.2';

/**
 * Who may feed a session (issue 11): only the device's answered host — or, behind NAT, the first stream after the
 * INVITE — and never another SSRC while the first is alive. Real UDP/TCP sockets, a real MediaServer.
 */
describe('the stream a session takes (RtpSourceLatch)', () => {
  const scratch = scratchDir();
  let camera: TestVideo;
  let other: TestVideo;

  beforeAll(async () => {
    [camera, other] = await Promise.all([
      encodeTestVideo(scratch.file('camera.h264'), { seconds: 2, size: '640x360' }),
      encodeTestVideo(scratch.file('other.h264'), { seconds: 2, size: '320x240' }),
    ]);
  });

  afterAll(() => scratch.remove());

  async function openUdp(
    ms: TestMediaServer,
    sessionId: string,
    answer: { host: string; ssrc: string | null },
  ) {
    const ingest = await ms.platform.request(
      'media.open-ingest',
      { sessionId, channelId: CHANNEL, transport: 'udp', realm: REALM },
      T,
    );
    await ms.platform.request(
      'media.connect-ingest',
      { ingestId: ingest.ingestId, host: answer.host, port: 15060, ssrc: answer.ssrc },
      T,
    );
    const keyframe = ms.platform.request(
      'media.await-keyframe',
      { ingestId: ingest.ingestId, timeoutMs: 5000 },
      { timeoutMs: 6000 },
    );
    return { ingest, keyframe, live: () => ms.server.ingests.get(ingest.ingestId) };
  }

  describe('UDP, a port per session', () => {
    let ms: TestMediaServer;
    beforeAll(async () => {
      ms = await startTestMediaServer();
    });
    afterAll(() => ms?.close());

    it('packets from another source address are dropped and counted, even first and with the expected SSRC', async () => {
      const { ingest, keyframe, live } = await openUdp(ms, 'latch-stranger', {
        host: '127.0.0.1',
        ssrc: null,
      });
      const stranger = await udpSender(ingest.host, ingest.port, STRANGER);
      const sent = await new GbDevice({ video: other, ssrc: Number(ingest.ssrc) }).play(stranger.send, {
        frames: 30,
        speed: 5,
      });
      expect(sent).toBe(30);
      await waitFor(() => live().stats.foreignSourcePackets > 0, { what: 'stranger packets counted' });
      const device = await udpSender(ingest.host, ingest.port);
      await new GbDevice({ video: camera, ssrc: Number(ingest.ssrc) }).play(device.send, {
        frames: 30,
        speed: 5,
      });
      await expect(keyframe).resolves.toEqual({ codec: 'h264', width: 640, height: 360 });
      // The stranger again, now that the device's stream is latched: still nothing of it gets through.
      const before = live().stats.foreignSourcePackets;
      await new GbDevice({ video: other, ssrc: Number(ingest.ssrc) }).play(stranger.send, {
        frames: 10,
        speed: 5,
      });
      await waitFor(() => live().stats.foreignSourcePackets > before, {
        what: 'stranger packets counted again',
      });
      expect(live().remote?.address).toBe('127.0.0.1');
      expect(live().streamInfo).toEqual({ codec: 'h264', width: 640, height: 360 });
      expect(live().stats).toMatchObject({ ssrcSwitches: 0, foreignPackets: 0 });
      stranger.close();
      device.close();
      await ms.platform.request('media.close-ingest', { ingestId: ingest.ingestId, reason: 'done' }, T);
    });

    it('a NAT source is latched once after the INVITE; another address is then dropped', async () => {
      // The device announced a private address and is seen from another one (its NAT).
      const { ingest, keyframe, live } = await openUdp(ms, 'latch-nat', { host: '192.168.1.64', ssrc: null });
      const nat = await udpSender(ingest.host, ingest.port, STRANGER);
      await new GbDevice({ video: camera, ssrc: Number(ingest.ssrc) }).play(nat.send, {
        frames: 30,
        speed: 5,
      });
      await expect(keyframe).resolves.toEqual({ codec: 'h264', width: 640, height: 360 });
      const frames = live().stats.frames;
      const late = await udpSender(ingest.host, ingest.port, '127.0.0.3');
      await new GbDevice({ video: other, ssrc: Number(ingest.ssrc) }).play(late.send, {
        frames: 10,
        speed: 5,
      });
      await waitFor(() => live().stats.foreignSourcePackets > 0, { what: 'second source counted' });
      expect(live().remote?.address).toBe(STRANGER);
      expect(live().stats.frames).toBe(frames);
      nat.close();
      late.close();
      await ms.platform.request('media.close-ingest', { ingestId: ingest.ingestId, reason: 'done' }, T);
    });
  });

  describe('UDP, time from a manual clock', () => {
    const clock = new ManualClock(Date.now());
    let ms: TestMediaServer;
    beforeAll(async () => {
      ms = await startTestMediaServer({ mediaTimeoutMs: 10_000 }, { clock });
    });
    afterAll(() => ms?.close());

    it('a second SSRC does not take over while the first is alive; the session ends by media timeout instead', async () => {
      const { ingest, keyframe, live } = await openUdp(ms, 'latch-ssrc', { host: '127.0.0.1', ssrc: null });
      const device = await udpSender(ingest.host, ingest.port);
      await new GbDevice({ video: camera, ssrc: Number(ingest.ssrc) }).play(device.send, {
        frames: 30,
        speed: 5,
      });
      await expect(keyframe).resolves.toEqual({ codec: 'h264', width: 640, height: 360 });
      const frames = await waitFor(() => live().stats.frames >= 29 && live().stats.frames, {
        what: 'frames',
      });
      // Silent for 3 s (a restarted encoder, or someone who waited for a gap), then a new SSRC from the same host.
      clock.advance(3000);
      await new GbDevice({ video: other, ssrc: 0x0bebdfa1 }).play(device.send, { frames: 30, speed: 5 });
      await waitFor(() => live().stats.foreignPackets > 0, { what: 'second SSRC counted' });
      expect(live().stats.frames).toBe(frames);
      expect(live().stats.ssrcSwitches).toBe(0);
      expect(live().streamInfo).toEqual({ codec: 'h264', width: 640, height: 360 });
      clock.advance(10_000);
      await expect(ms.ended.next((e) => e.ingestId === ingest.ingestId)).resolves.toMatchObject({
        reason: 'media-timeout',
      });
      device.close();
    });
  });

  describe('single-port mode', () => {
    let ms: TestMediaServer;
    beforeAll(async () => {
      ms = await startTestMediaServer({ singlePort: await freePort() });
    });
    afterAll(() => ms?.close());

    it("a stranger's streams on the single port neither feed a session nor keep the device's SSRC from being adopted", async () => {
      const { ingest, keyframe, live } = await openUdp(ms, 'latch-single', { host: '127.0.0.1', ssrc: null });
      const stranger = await udpSender('127.0.0.1', ingest.port, STRANGER);
      // The offered SSRC (predictable), and an unknown one that the only waiting ingest would be offered.
      await new GbDevice({ video: other, ssrc: Number(ingest.ssrc) }).play(stranger.send, {
        frames: 10,
        speed: 5,
      });
      await new GbDevice({ video: other, ssrc: 0x5eed }).play(stranger.send, { frames: 10, speed: 5 });
      await waitFor(() => live().stats.foreignSourcePackets > 0, { what: 'stranger packets counted' });
      // The device sends a third SSRC (notes §1.6).
      const device = await udpSender('127.0.0.1', ingest.port);
      await new GbDevice({ video: camera, ssrc: 0x0bebdfa1 }).play(device.send, { frames: 30, speed: 5 });
      await expect(keyframe).resolves.toEqual({ codec: 'h264', width: 640, height: 360 });
      expect(ms.server.sharedUdpStats?.adoptedStreams).toBe(1);
      stranger.close();
      device.close();
      await ms.platform.request('media.close-ingest', { ingestId: ingest.ingestId, reason: 'done' }, T);
    });
  });

  describe('TCP passive', () => {
    let ms: TestMediaServer;
    beforeAll(async () => {
      ms = await startTestMediaServer();
    });
    afterAll(() => ms?.close());

    it('a connection from another host is refused and neither takes the session nor ends it', async () => {
      const ingest = await ms.platform.request(
        'media.open-ingest',
        { sessionId: 'latch-tcp', channelId: CHANNEL, transport: 'tcp-passive', realm: REALM },
        T,
      );
      await ms.platform.request(
        'media.connect-ingest',
        { ingestId: ingest.ingestId, host: '127.0.0.1', port: 9, ssrc: ingest.ssrc },
        T,
      );
      const keyframe = ms.platform.request(
        'media.await-keyframe',
        { ingestId: ingest.ingestId, timeoutMs: 5000 },
        { timeoutMs: 6000 },
      );
      const live = () => ms.server.ingests.get(ingest.ingestId);
      const device = await tcpConnect(ingest.host, ingest.port);
      const camera1 = new GbDevice({ video: camera, ssrc: Number(ingest.ssrc) });
      await camera1.play(device.send, { frames: 30, speed: 5 });
      await expect(keyframe).resolves.toEqual({ codec: 'h264', width: 640, height: 360 });

      const stranger = await tcpConnect(ingest.host, ingest.port, STRANGER);
      const strangerClosed = new Promise<void>((resolve) => stranger.socket.once('close', () => resolve()));
      await new GbDevice({ video: other, ssrc: Number(ingest.ssrc) })
        .play(stranger.send, { frames: 5, speed: 5 })
        .catch(() => 0);
      await strangerClosed;
      expect(live().stats.tcpRefusedConnections).toBe(1);
      // The device's connection still carries the session.
      const frames = live().stats.frames;
      await camera1.play(device.send, { frames: 10, speed: 5 });
      await waitFor(() => live().stats.frames >= frames + 9, { what: 'device frames after the stranger' });
      expect(device.socket.destroyed).toBe(false);
      expect(live().streamInfo).toEqual({ codec: 'h264', width: 640, height: 360 });
      await ms.platform.request('media.close-ingest', { ingestId: ingest.ingestId, reason: 'done' }, T);
    });

    it("a stranger connecting first does not take the session; the device's reconnection from its host does", async () => {
      const ingest = await ms.platform.request(
        'media.open-ingest',
        { sessionId: 'latch-tcp-first', channelId: CHANNEL, transport: 'tcp-passive', realm: REALM },
        T,
      );
      await ms.platform.request(
        'media.connect-ingest',
        { ingestId: ingest.ingestId, host: '127.0.0.1', port: 9, ssrc: ingest.ssrc },
        T,
      );
      const keyframe = ms.platform.request(
        'media.await-keyframe',
        { ingestId: ingest.ingestId, timeoutMs: 5000 },
        { timeoutMs: 6000 },
      );
      const live = () => ms.server.ingests.get(ingest.ingestId);
      const stranger = await tcpConnect(ingest.host, ingest.port, STRANGER);
      const strangerClosed = new Promise<void>((resolve) => stranger.socket.once('close', () => resolve()));
      await new GbDevice({ video: other, ssrc: Number(ingest.ssrc) }).play(stranger.send, {
        frames: 10,
        speed: 5,
      });
      await waitFor(() => live().stats.foreignSourcePackets > 0, { what: 'stranger packets counted' });

      const device = await tcpConnect(ingest.host, ingest.port);
      const deviceClosed = new Promise<void>((resolve) => device.socket.once('close', () => resolve()));
      const camera1 = new GbDevice({ video: camera, ssrc: Number(ingest.ssrc) });
      await camera1.play(device.send, { frames: 30, speed: 5 });
      await expect(keyframe).resolves.toEqual({ codec: 'h264', width: 640, height: 360 });
      await strangerClosed; // closed once the device's connection was latched

      // The device reconnects (its old connection half-open, say): the new one carries the same stream.
      const again = await tcpConnect(ingest.host, ingest.port);
      const frames = live().stats.frames;
      await camera1.play(again.send, { frames: 10, speed: 5 });
      await waitFor(() => live().stats.frames >= frames + 9, { what: 'frames over the new connection' });
      await deviceClosed; // the old one, replaced
      expect(live().closed).toBe(false);
      expect(ms.ended.events.some((e) => e.ingestId === ingest.ingestId)).toBe(false);
      await ms.platform.request('media.close-ingest', { ingestId: ingest.ingestId, reason: 'done' }, T);
    });
  });
});
