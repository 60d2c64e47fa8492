import { createSocket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { BusRemoteError } from '@tessera/bus';
import { waitFor } from '@tessera/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VideoCodec } from '@tessera/media-protocols';
import { scratchDir, ffprobe } from '@tessera/media-protocols/testing';
import { encodeTestVideo, GbDevice, type TestVideo, tcpConnect } from '../support/gb-device';
import { startTestMediaServer, type TestMediaServer } from '../support/media-server';
import { RtpReceiver } from '../support/rtp-receiver';

const REALM = '3402000000';
const CHANNEL = '34020000001320000001';
const T = { timeoutMs: 5000 };
/** The upper's `y=` (its first digit 0 = live; the value exceeds 2^31 to catch signed SSRC handling). */
const UPPER_SSRC = '3999000123';

describe('Egress to an upper platform (PS over RTP)', () => {
  const scratch = scratchDir();
  const clips = {} as Record<VideoCodec, TestVideo>;
  let ms: TestMediaServer;
  const egressEnded: { egressId: string; ingestId: string; reason: string }[] = [];

  beforeAll(async () => {
    [clips.h264, clips.h265] = await Promise.all([
      encodeTestVideo(scratch.file('clip.h264'), { seconds: 2, gop: 25 }),
      encodeTestVideo(scratch.file('clip.h265'), { codec: 'h265', seconds: 2, gop: 25, size: '320x240' }),
    ]);
    ms = await startTestMediaServer(
      {},
      { tcpConnectAttempts: 2, tcpRetryDelayMs: 200, egressAcceptTimeoutMs: 1500 },
    );
    await ms.platform.subscribe('media.egress-ended', (e) => {
      egressEnded.push(e);
    });
  }, 60_000);

  afterAll(async () => {
    await ms?.close();
    scratch.remove();
  });

  /** A live ingest fed by a camera over TCP (lossless, so every check below is exact). */
  async function liveIngest(sessionId: string, codec: VideoCodec = 'h264') {
    const ingest = await ms.platform.request(
      'media.open-ingest',
      { sessionId, channelId: CHANNEL, transport: 'tcp-passive', realm: REALM },
      T,
    );
    await ms.platform.request(
      'media.connect-ingest',
      { ingestId: ingest.ingestId, host: '127.0.0.1', port: 9, ssrc: ingest.ssrc },
      T,
    );
    const camera = await tcpConnect(ingest.host, ingest.port);
    const device = new GbDevice({ video: clips[codec], ssrc: Number(ingest.ssrc) });
    return {
      ...ingest,
      sessionId,
      camera,
      play: (frames: number, speed = 10) => device.play(camera.send, { frames, speed }),
      live: () => ms.server.ingests.get(ingest.ingestId),
    };
  }

  function egressEndedFor(egressId: string) {
    return waitFor(() => egressEnded.find((e) => e.egressId === egressId), {
      what: `egress-ended ${egressId}`,
    });
  }

  /** What the upper got is a decodable stream of the camera's codec, from a keyframe, with the upper's SSRC. */
  async function expectDecodable(
    receiver: RtpReceiver,
    expected: { codec: VideoCodec; width: number; height: number; minFrames: number },
    file: string,
  ) {
    await waitFor(() => receiver.video().length >= expected.minFrames, {
      what: `${expected.minFrames} frames at the upper`,
    });
    const packets = [...receiver.packets];
    expect(new Set(packets.map((p) => p.ssrc))).toEqual(new Set([Number(UPPER_SSRC)]));
    expect(packets.every((p) => p.payloadType === 96)).toBe(true);
    for (let i = 1; i < packets.length; i++) {
      expect((packets[i]!.sequenceNumber - packets[i - 1]!.sequenceNumber) & 0xffff).toBe(1);
    }
    const units = receiver.video();
    expect(units[0]!.keyframe).toBe(true);
    expect(units.every((u) => u.codec === expected.codec && !u.discontinuity)).toBe(true);
    expect(units[0]!.track).toMatchObject({ width: expected.width, height: expected.height });
    writeFileSync(file, receiver.ps());
    const probe = await ffprobe(file);
    expect(probe.video).toMatchObject({
      codec: expected.codec,
      width: expected.width,
      height: expected.height,
    });
    // ffprobe decodes every frame we demuxed (its parser agrees with ours on every vector).
    expect(probe.video!.frames).toBe(units.length);
    expect(probe.video!.keyframes).toBeGreaterThanOrEqual(1);
    return units;
  }

  it('udp: the cached GOP at once, then live; counts as a viewer until close-egress', async () => {
    const ingest = await liveIngest('egress-udp');
    // 30 frames, GOP 25: the GOP cache holds frames 25–28 (the demuxer emits a frame when the next begins).
    await ingest.play(30);
    await waitFor(() => ingest.live().stats.frames >= 29, { what: 'ingest frames' });
    const { receiver, port } = await RtpReceiver.udp();
    const openedAt = performance.now();
    const answer = await ms.platform.request(
      'media.open-egress',
      {
        egressId: 'e-udp',
        ingestId: ingest.ingestId,
        transport: 'udp',
        host: '127.0.0.1',
        port,
        ssrc: UPPER_SSRC,
      },
      T,
    );
    expect(answer.host).toBe('127.0.0.1');
    const range = ms.server.config.rtpPorts;
    expect(answer.port).toBeGreaterThanOrEqual(range.min);
    expect(answer.port).toBeLessThanOrEqual(range.max);
    // The burst arrives before any new camera frame: the upper gets a picture at once.
    await waitFor(() => receiver.video().length >= 3, { what: 'burst', timeoutMs: 2000 });
    expect(receiver.firstPacketAt! - openedAt).toBeLessThan(1000);
    await expect(
      ms.viewers.next((e) => e.sessionId === ingest.sessionId && e.viewers === 1),
    ).resolves.toBeDefined();
    expect(ms.server.snapshot().find((s) => s.ingestId === ingest.ingestId)).toMatchObject({
      viewers: 1,
      egresses: 1,
    });

    await ingest.play(30);
    const units = await expectDecodable(
      receiver,
      { codec: 'h264', width: 640, height: 360, minFrames: 30 },
      scratch.file('udp.mpg'),
    );
    // Timing: the burst is squeezed one tick apart, live frames keep the camera's 40 ms spacing.
    expect(units[1]!.pts! - units[0]!.pts!).toBe(1);
    expect(units.at(-1)!.pts! - units.at(-2)!.pts!).toBe(3600);
    const [egress] = ms.server.egressSnapshot().filter((e) => e.egressId === 'e-udp');
    expect(egress).toMatchObject({ transport: 'udp', port: answer.port, ssrc: UPPER_SSRC, sending: true });
    expect(egress!.stats).toMatchObject({ droppedFrames: 0, burstFrames: 4 });
    expect(egress!.stats.packets).toBe(receiver.packets.length);
    expect(egress!.stats.bytes).toBe(receiver.packets.reduce((n, p) => n + 12 + p.payload.length, 0));

    await ms.platform.request('media.close-egress', { egressId: 'e-udp', reason: 'upper BYE' }, T);
    await expect(egressEndedFor('e-udp')).resolves.toMatchObject({
      ingestId: ingest.ingestId,
      reason: 'closed',
    });
    await ms.viewers.next((e) => e.sessionId === ingest.sessionId && e.viewers === 0);
    expect(ms.server.snapshot().find((s) => s.ingestId === ingest.ingestId)).toMatchObject({ egresses: 0 });
    // The egress port is free again.
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(answer.port, '127.0.0.1', resolve);
    });
    socket.close();
    // Idempotent, like close-ingest.
    await ms.platform.request('media.close-egress', { egressId: 'e-udp', reason: 'again' }, T);
    receiver.close();
    await ms.platform.request('media.close-ingest', { ingestId: ingest.ingestId, reason: 'done' }, T);
  });

  it('tcp-active, H.265: we connect to the upper; H.265 stays H.265; the upper hanging up ends the egress', async () => {
    const ingest = await liveIngest('egress-tcp-active', 'h265');
    await ingest.play(30);
    await waitFor(() => ingest.live().stats.frames >= 29, { what: 'ingest frames' });
    const { receiver, port } = await RtpReceiver.tcpServer();
    const answer = await ms.platform.request(
      'media.open-egress',
      {
        egressId: 'e-tcp-active',
        ingestId: ingest.ingestId,
        transport: 'tcp-active',
        host: '127.0.0.1',
        port,
        ssrc: UPPER_SSRC,
      },
      T,
    );
    expect(answer.port).toBeGreaterThan(0);
    await receiver.connected();
    await ingest.play(30);
    await expectDecodable(
      receiver,
      { codec: 'h265', width: 320, height: 240, minFrames: 30 },
      scratch.file('tcp-active.mpg'),
    );
    expect(ms.server.ingests.get(ingest.ingestId).viewerCount).toBe(1);
    expect(ms.server.ingests.get(ingest.ingestId).transcoding).toBe(false);

    receiver.close();
    await expect(egressEndedFor('e-tcp-active')).resolves.toMatchObject({ reason: 'connection-closed' });
    await waitFor(() => ms.server.ingests.get(ingest.ingestId).viewerCount === 0, { what: 'viewer left' });
    await ms.platform.request('media.close-ingest', { ingestId: ingest.ingestId, reason: 'done' }, T);
  });

  it('tcp-passive: the upper connects to our port; the end of the ingest ends the egress (stream-ended)', async () => {
    const ingest = await liveIngest('egress-tcp-passive');
    await ingest.play(30);
    await waitFor(() => ingest.live().stats.frames >= 29, { what: 'ingest frames' });
    const answer = await ms.platform.request(
      'media.open-egress',
      {
        egressId: 'e-tcp-passive',
        ingestId: ingest.ingestId,
        transport: 'tcp-passive',
        host: '',
        port: 0,
        ssrc: UPPER_SSRC,
      },
      T,
    );
    // Counted as a viewer from the open on, before the upper connects: the upstream must not be released.
    await ms.viewers.next((e) => e.sessionId === ingest.sessionId && e.viewers === 1);
    const receiver = await RtpReceiver.tcpClient(answer.host, answer.port);
    await ingest.play(30);
    await expectDecodable(
      receiver,
      { codec: 'h264', width: 640, height: 360, minFrames: 30 },
      scratch.file('tcp-passive.mpg'),
    );

    const closed = new Promise<void>((resolve) => receiver.socket!.once('close', () => resolve()));
    await ms.platform.request('media.close-ingest', { ingestId: ingest.ingestId, reason: 'device BYE' }, T);
    await expect(egressEndedFor('e-tcp-passive')).resolves.toMatchObject({
      ingestId: ingest.ingestId,
      reason: 'stream-ended',
    });
    await closed;
    expect(ms.server.egressSnapshot().some((e) => e.egressId === 'e-tcp-passive')).toBe(false);
  });

  it('cascade between two Tesseras: the upper ingest takes our egress and sees the codec and size', async () => {
    const upper = await startTestMediaServer();
    try {
      const lower = await liveIngest('egress-cascade');
      await lower.play(30);
      await waitFor(() => lower.live().stats.frames >= 29, { what: 'ingest frames' });
      // The upper plays the shared channel over TCP, listening (its offer a=setup:passive → our tcp-active).
      const up = await upper.platform.request(
        'media.open-ingest',
        { sessionId: 'upper-play', channelId: CHANNEL, transport: 'tcp-passive', realm: '4401000000' },
        T,
      );
      const ours = await ms.platform.request(
        'media.open-egress',
        {
          egressId: 'e-cascade',
          ingestId: lower.ingestId,
          transport: 'tcp-active',
          host: up.host,
          port: up.port,
          ssrc: up.ssrc,
        },
        T,
      );
      await upper.platform.request(
        'media.connect-ingest',
        { ingestId: up.ingestId, host: ours.host, port: ours.port, ssrc: up.ssrc },
        T,
      );
      // The GOP cache gives the upper its first keyframe without waiting for the camera's next one.
      await expect(
        upper.platform.request('media.await-keyframe', { ingestId: up.ingestId, timeoutMs: 3000 }, T),
      ).resolves.toEqual({ codec: 'h264', width: 640, height: 360 });
      await lower.play(30);
      const upperIngest = upper.server.ingests.get(up.ingestId);
      await waitFor(() => upperIngest.stats.frames >= 30, { what: 'frames at the upper' });
      expect(upperIngest.stats).toMatchObject({
        foreignPackets: 0,
        lost: 0,
        discontinuities: 0,
        tcpGarbageBytes: 0,
      });
      await ms.platform.request('media.close-ingest', { ingestId: lower.ingestId, reason: 'done' }, T);
      await expect(egressEndedFor('e-cascade')).resolves.toMatchObject({ reason: 'stream-ended' });
      await expect(upper.ended.next((e) => e.ingestId === up.ingestId)).resolves.toMatchObject({
        reason: 'connection-closed',
      });
    } finally {
      await upper.close();
    }
  });

  it('a slow upper costs bounded memory: frames are dropped until a keyframe, never queued without end', async () => {
    const slow = await startTestMediaServer({}, { egressCongestionBytes: 64 * 1024 });
    try {
      const ingest = await slow.platform.request(
        'media.open-ingest',
        { sessionId: 'egress-slow', channelId: CHANNEL, transport: 'tcp-passive', realm: REALM },
        T,
      );
      await slow.platform.request(
        'media.connect-ingest',
        { ingestId: ingest.ingestId, host: '127.0.0.1', port: 9, ssrc: ingest.ssrc },
        T,
      );
      const camera = await tcpConnect(ingest.host, ingest.port);
      const device = new GbDevice({ video: clips.h264, ssrc: Number(ingest.ssrc) });
      const answer = await slow.platform.request(
        'media.open-egress',
        {
          egressId: 'e-slow',
          ingestId: ingest.ingestId,
          transport: 'tcp-passive',
          host: '',
          port: 0,
          ssrc: UPPER_SSRC,
        },
        T,
      );
      const receiver = await RtpReceiver.tcpClient(answer.host, answer.port);
      // The upper stops reading: the kernel's buffers fill, then ours up to the limit, then frames are dropped.
      receiver.socket!.pause();
      const egress = slow.server.ingests.egresses()[0]!;
      let maxQueued = 0;
      let played = 0;
      while (egress.stats.droppedFrames < 50 && played < 3000) {
        await device.play(camera.send, { frames: 25, speed: Number.POSITIVE_INFINITY });
        played += 25;
        maxQueued = Math.max(maxQueued, egress.stats.queuedBytes);
      }
      expect(egress.stats.droppedFrames).toBeGreaterThanOrEqual(50);
      // Bounded by the limit plus the frame that crossed it.
      expect(maxQueued).toBeLessThan(64 * 1024 + 256 * 1024);
      // Reading again: everything received decodes; after every gap the stream resumes at a keyframe.
      receiver.socket!.resume();
      await device.play(camera.send, { frames: 60, speed: 10 });
      const units = await waitFor(
        () => {
          const v = receiver.video();
          return v.length > 0 && v.at(-1)!.pts! - v[0]!.pts! > 0 && egress.stats.queuedBytes === 0
            ? v
            : false;
        },
        { what: 'the upper caught up' },
      );
      expect(units[0]!.keyframe).toBe(true);
      let gaps = 0;
      for (let i = 1; i < units.length; i++) {
        const step = units[i]!.pts! - units[i - 1]!.pts!;
        if (step > 3600) {
          gaps++;
          expect(units[i]!.keyframe).toBe(true);
        }
      }
      expect(gaps).toBeGreaterThanOrEqual(1);
      expect(units.every((u) => !u.discontinuity)).toBe(true);
      receiver.close();
    } finally {
      await slow.close();
    }
  }, 60_000);

  it('a keyframe without in-band parameter sets gets them from the track, so the upper can start there', async () => {
    // A camera that sends SPS/PPS once: strip them from every keyframe but the first.
    const h264 = clips.h264;
    let first = true;
    const frames = h264.frames.map((f) => {
      if (!f.keyframe) return f;
      if (first) {
        first = false;
        return f;
      }
      return { ...f, nalus: f.nalus.filter((n) => (n[0]! & 0x1f) !== 7 && (n[0]! & 0x1f) !== 8) };
    });
    const ingest = await liveIngest('egress-oob-sets');
    const device = new GbDevice({ video: { ...h264, frames }, ssrc: Number(ingest.ssrc) });
    await device.play(ingest.camera.send, { frames: 30, speed: 10 });
    await waitFor(() => ingest.live().stats.frames >= 29, { what: 'ingest frames' });
    const { receiver, port } = await RtpReceiver.udp();
    await ms.platform.request(
      'media.open-egress',
      {
        egressId: 'e-oob',
        ingestId: ingest.ingestId,
        transport: 'udp',
        host: '127.0.0.1',
        port,
        ssrc: UPPER_SSRC,
      },
      T,
    );
    await device.play(ingest.camera.send, { frames: 10, speed: 10 });
    const units = await expectDecodable(
      receiver,
      { codec: 'h264', width: 640, height: 360, minFrames: 10 },
      scratch.file('oob.mpg'),
    );
    expect(units[0]!.nalus.slice(0, 2).map((n) => n[0]! & 0x1f)).toEqual([7, 8]);
    receiver.close();
    await ms.platform.request('media.close-ingest', { ingestId: ingest.ingestId, reason: 'done' }, T);
  });

  it('follows a codec change: PS names the new codec in its PSM, so the egress carries on at the next keyframe', async () => {
    const ingest = await liveIngest('egress-codec-change');
    await ingest.play(30);
    await waitFor(() => ingest.live().stats.frames >= 29, { what: 'ingest frames' });
    const { receiver, port } = await RtpReceiver.udp();
    await ms.platform.request(
      'media.open-egress',
      {
        egressId: 'e-codec',
        ingestId: ingest.ingestId,
        transport: 'udp',
        host: '127.0.0.1',
        port,
        ssrc: UPPER_SSRC,
      },
      T,
    );
    await waitFor(() => receiver.video().length >= 4, { what: 'burst' });
    // The camera is reconfigured to H.265 (new encoder: new RTP sequence, same SSRC).
    const h265 = new GbDevice({ video: clips.h265, ssrc: Number(ingest.ssrc), startPts: 900_000 });
    await h265.play(ingest.camera.send, { frames: 30, speed: 10 });
    await waitFor(() => receiver.video().some((u) => u.codec === 'h265'), { what: 'H.265 at the upper' });
    const units = receiver.video();
    const switchAt = units.findIndex((u) => u.codec === 'h265');
    expect(units[switchAt]!.keyframe).toBe(true);
    expect(units.slice(switchAt).every((u) => u.codec === 'h265')).toBe(true);
    expect(units[switchAt]!.track).toMatchObject({ width: 320, height: 240 });
    expect(ms.server.ingests.get(ingest.ingestId).egressCount).toBe(1);
    receiver.close();
    await ms.platform.request('media.close-ingest', { ingestId: ingest.ingestId, reason: 'done' }, T);
  });

  it('errors: unknown ingest, conflicting egress id, unreachable upper, upper that never connects', async () => {
    const ingest = await liveIngest('egress-errors');
    await ingest.play(5);
    const request = {
      egressId: 'e-err',
      ingestId: 'no-such-ingest',
      transport: 'udp' as const,
      host: '127.0.0.1',
      port: 9,
      ssrc: UPPER_SSRC,
    };
    const unknown = await ms.platform.request('media.open-egress', request, T).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(BusRemoteError);
    expect((unknown as BusRemoteError).code).toBe('ingest_not_found');

    // A retried open (the reply was lost) gets the same answer; another request under that id is refused.
    const open = { ...request, ingestId: ingest.ingestId };
    const first = await ms.platform.request('media.open-egress', open, T);
    await expect(ms.platform.request('media.open-egress', open, T)).resolves.toEqual(first);
    const conflict = await ms.platform
      .request('media.open-egress', { ...open, port: 10 }, T)
      .catch((e: unknown) => e);
    expect((conflict as BusRemoteError).code).toBe('egress_conflict');
    expect(ms.server.ingests.get(ingest.ingestId).egressCount).toBe(1);
    await ms.platform.request('media.close-egress', { egressId: 'e-err', reason: 'done' }, T);

    const badSsrc = await ms.platform
      .request('media.open-egress', { ...open, egressId: 'e-bad', ssrc: '9999999999' }, T)
      .catch((e: unknown) => e);
    expect((badSsrc as BusRemoteError).code).toBe('invalid_request');

    // Port 1 on loopback is refused at once: open answers, the egress ends after its attempts.
    await ms.platform.request(
      'media.open-egress',
      { ...open, egressId: 'e-refused', transport: 'tcp-active', port: 1 },
      T,
    );
    await expect(egressEndedFor('e-refused')).resolves.toMatchObject({ reason: 'connect-failed' });
    await ms.platform.request(
      'media.open-egress',
      { ...open, egressId: 'e-nobody', transport: 'tcp-passive', port: 0 },
      T,
    );
    await expect(egressEndedFor('e-nobody')).resolves.toMatchObject({ reason: 'connect-failed' });
    await waitFor(() => ms.server.ingests.get(ingest.ingestId).viewerCount === 0, {
      what: 'no viewers left',
    });
    await ms.platform.request('media.close-ingest', { ingestId: ingest.ingestId, reason: 'done' }, T);
  });
});
