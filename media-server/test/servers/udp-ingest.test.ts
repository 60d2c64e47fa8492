import { createSocket } from 'node:dgram';
import { BusRemoteError } from '@tessera/bus';
import { waitFor } from '@tessera/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchDir } from '@tessera/media-protocols/testing';
import { encodeTestAudio, encodeTestVideo, GbDevice, type TestVideo, udpSender } from '../support/gb-device';
import { startTestMediaServer, type TestMediaServer } from '../support/media-server';

const REALM = '3402000000';
const CHANNEL = '34020000001320000001';
const T = { timeoutMs: 5000 };

describe('UDP ingest driven by the media.* bus commands', () => {
  const scratch = scratchDir();
  let video: TestVideo;
  let audio: Buffer[];
  let ms: TestMediaServer;

  beforeAll(async () => {
    [video, audio] = await Promise.all([
      encodeTestVideo(scratch.file('clip.h264'), { seconds: 2 }),
      encodeTestAudio(scratch.file('tone.aac'), 2),
    ]);
    ms = await startTestMediaServer({ mediaTimeoutMs: 1500 });
  });

  afterAll(async () => {
    await ms?.close();
    scratch.remove();
  });

  const open = (sessionId: string) =>
    ms.platform.request(
      'media.open-ingest',
      { sessionId, channelId: CHANNEL, transport: 'udp', realm: REALM },
      T,
    );

  it('resolves await-keyframe with h264 640x360 and counts frames — audio interleaved, no marker bits', async () => {
    const ingest = await open('udp-basic');
    expect(ingest.host).toBe('127.0.0.1');
    expect(ingest.ssrc).toMatch(/^020000\d{4}$/);
    const { min, max } = ms.server.config.rtpPorts;
    expect(ingest.port).toBeGreaterThanOrEqual(min);
    expect(ingest.port).toBeLessThanOrEqual(max);
    await ms.platform.request(
      'media.connect-ingest',
      { ingestId: ingest.ingestId, host: '127.0.0.1', port: 15060, ssrc: ingest.ssrc },
      T,
    );
    const keyframe = ms.platform.request(
      'media.await-keyframe',
      { ingestId: ingest.ingestId, timeoutMs: 5000 },
      { timeoutMs: 6000 },
    );
    const device = new GbDevice({ video, ssrc: Number(ingest.ssrc), marker: false, audio });
    const sender = await udpSender(ingest.host, ingest.port);
    await device.play(sender.send, { frames: 50, speed: 5 });
    sender.close();

    await expect(keyframe).resolves.toEqual({ codec: 'h264', width: 640, height: 360 });
    const live = ms.server.ingests.get(ingest.ingestId);
    // The assembler completes a frame when the next one starts: the last one sent is still open.
    const stats = await waitFor(() => live.stats.frames >= 49 && live.stats, { what: '49 frames' });
    expect(stats).toMatchObject({ keyframes: 2, lost: 0, malformedPackets: 0, foreignPackets: 0 });
    expect(stats.audioFrames).toBeGreaterThan(60);
    expect(stats.bytes).toBeGreaterThan(50_000);
    expect(live.live.gop().length).toBeGreaterThan(0);
    expect(live.live.gop()[0]!.keyframe).toBe(true);
    await ms.platform.request('media.close-ingest', { ingestId: ingest.ingestId, reason: 'test done' }, T);
  });

  it('ends the ingest after the media timeout (reason media-timeout)', async () => {
    const ingest = await open('udp-timeout');
    await ms.platform.request(
      'media.connect-ingest',
      { ingestId: ingest.ingestId, host: '127.0.0.1', port: 15060, ssrc: null },
      T,
    );
    const sender = await udpSender(ingest.host, ingest.port);
    await new GbDevice({ video, ssrc: Number(ingest.ssrc) }).play(sender.send, { frames: 10, speed: 5 });
    sender.close();
    const stoppedAt = Date.now();
    const ended = await ms.ended.next((e) => e.ingestId === ingest.ingestId);
    expect(ended).toMatchObject({ sessionId: 'udp-timeout', reason: 'media-timeout' });
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(1400);
    expect(() => ms.server.ingests.get(ingest.ingestId)).toThrow(/no ingest/);
  });

  it('close-ingest frees the port, publishes reason closed, and is idempotent', async () => {
    const ingest = await open('udp-close');
    await ms.platform.request('media.close-ingest', { ingestId: ingest.ingestId, reason: 'bye' }, T);
    await expect(ms.ended.next((e) => e.ingestId === ingest.ingestId)).resolves.toMatchObject({
      reason: 'closed',
    });
    await expect(
      ms.platform.request('media.close-ingest', { ingestId: ingest.ingestId, reason: 'again' }, T),
    ).resolves.toEqual({ ok: true });
    // The port is free again: we can bind it ourselves.
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(ingest.port, '127.0.0.1', resolve);
    });
    socket.close();
    const error = await ms.platform
      .request(
        'media.connect-ingest',
        { ingestId: ingest.ingestId, host: '127.0.0.1', port: 1, ssrc: null },
        T,
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BusRemoteError);
    expect((error as BusRemoteError).code).toBe('ingest_not_found');
  });

  it('accepts a device that answers another SSRC and then sends a third one', async () => {
    const ingest = await open('udp-ssrc-mismatch');
    await ms.platform.request(
      'media.connect-ingest',
      { ingestId: ingest.ingestId, host: '127.0.0.1', port: 15060, ssrc: '0200009999' },
      T,
    );
    const keyframe = ms.platform.request(
      'media.await-keyframe',
      { ingestId: ingest.ingestId, timeoutMs: 5000 },
      { timeoutMs: 6000 },
    );
    const sender = await udpSender(ingest.host, ingest.port);
    await new GbDevice({ video, ssrc: 0x0bebdfa1 }).play(sender.send, { frames: 30, speed: 5 });
    sender.close();
    await expect(keyframe).resolves.toMatchObject({ codec: 'h264', width: 640, height: 360 });
    expect(ms.server.ingests.get(ingest.ingestId).stats.foreignPackets).toBe(0);
    await ms.platform.request('media.close-ingest', { ingestId: ingest.ingestId, reason: 'done' }, T);
  });

  it('rejects await-keyframe with a media_timeout error when no keyframe comes', async () => {
    const ingest = await open('udp-silent');
    const error = await ms.platform
      .request('media.await-keyframe', { ingestId: ingest.ingestId, timeoutMs: 300 }, T)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BusRemoteError);
    expect(error).toMatchObject({ code: 'media_timeout', remoteName: 'MediaTimeoutError' });
    await ms.platform.request('media.close-ingest', { ingestId: ingest.ingestId, reason: 'done' }, T);
  });

  it('survives garbage and truncated RTP on its port (counted), then takes the real stream', async () => {
    const ingest = await open('udp-garbage');
    await ms.platform.request(
      'media.connect-ingest',
      { ingestId: ingest.ingestId, host: '127.0.0.1', port: 1, ssrc: null },
      T,
    );
    const sender = await udpSender(ingest.host, ingest.port);
    let seed = 28181;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const device = new GbDevice({ video, ssrc: Number(ingest.ssrc) });
    for (let i = 0; i < 200; i++) {
      const junk = Buffer.alloc(Math.floor(random() * 1500));
      for (let j = 0; j < junk.length; j++) junk[j] = Math.floor(random() * 256);
      if (i % 3 === 0 && junk.length > 0) junk[0] = 0x80 | (junk[0]! & 0x3f); // RTP v2, random rest
      sender.send(junk);
      if (i % 4 === 0) sender.send(device.nextFrame()[0]!.subarray(0, Math.floor(random() * 20))); // truncated
    }
    const keyframe = ms.platform.request(
      'media.await-keyframe',
      { ingestId: ingest.ingestId, timeoutMs: 5000 },
      { timeoutMs: 6000 },
    );
    await new GbDevice({ video, ssrc: Number(ingest.ssrc) }).play(sender.send, { frames: 60, speed: 5 });
    sender.close();
    await expect(keyframe).resolves.toMatchObject({ codec: 'h264', width: 640, height: 360 });
    const stats = ms.server.ingests.get(ingest.ingestId).stats;
    expect(stats.malformedPackets).toBeGreaterThan(0);
    await ms.platform.request('media.close-ingest', { ingestId: ingest.ingestId, reason: 'done' }, T);
  });

  it('gives a retried open-ingest the same ingest, and refuses a bad realm', async () => {
    const first = await open('udp-retry');
    const second = await open('udp-retry');
    expect(second).toEqual(first);
    const error = await ms.platform
      .request(
        'media.open-ingest',
        { sessionId: 'bad', channelId: CHANNEL, transport: 'udp', realm: '34ab' },
        T,
      )
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid_request' });
    await ms.platform.request('media.close-ingest', { ingestId: first.ingestId, reason: 'done' }, T);
  });
});
