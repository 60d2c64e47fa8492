import { freePort, waitFor } from '@tessera/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchDir } from '@tessera/media-protocols/testing';
import { encodeTestVideo, GbDevice, type TestVideo, udpSender } from '../support/gb-device';
import { startTestMediaServer, type TestMediaServer } from '../support/media-server';

const REALM = '3402000000';
const T = { timeoutMs: 5000 };

describe('single-port mode (TESSERA_MEDIA_SINGLE_PORT)', () => {
  const scratch = scratchDir();
  let small: TestVideo;
  let large: TestVideo;
  let ms: TestMediaServer;

  beforeAll(async () => {
    [small, large] = await Promise.all([
      encodeTestVideo(scratch.file('small.h264'), { seconds: 2, size: '320x240' }),
      encodeTestVideo(scratch.file('large.h264'), { seconds: 2, size: '640x360' }),
    ]);
    ms = await startTestMediaServer({ singlePort: await freePort() });
  });

  afterAll(async () => {
    await ms?.close();
    scratch.remove();
  });

  const open = (sessionId: string, channelId: string) =>
    ms.platform.request('media.open-ingest', { sessionId, channelId, transport: 'udp', realm: REALM }, T);

  it('demuxes two cameras sending to the same port by SSRC', async () => {
    const a = await open('single-a', '34020000001320000001');
    const b = await open('single-b', '34020000001320000002');
    expect(a.port).toBe(ms.server.singlePort);
    expect(b.port).toBe(a.port);
    expect(a.ssrc).not.toBe(b.ssrc);
    for (const ingest of [a, b]) {
      await ms.platform.request(
        'media.connect-ingest',
        { ingestId: ingest.ingestId, host: '127.0.0.1', port: 15060, ssrc: ingest.ssrc },
        T,
      );
    }
    const keyframes = [a, b].map((i) =>
      ms.platform.request(
        'media.await-keyframe',
        { ingestId: i.ingestId, timeoutMs: 5000 },
        { timeoutMs: 6000 },
      ),
    );
    const senderA = await udpSender('127.0.0.1', a.port);
    const senderB = await udpSender('127.0.0.1', b.port);
    await Promise.all([
      new GbDevice({ video: small, ssrc: Number(a.ssrc) }).play(senderA.send, { frames: 40, speed: 5 }),
      new GbDevice({ video: large, ssrc: Number(b.ssrc) }).play(senderB.send, { frames: 40, speed: 5 }),
    ]);
    senderA.close();
    senderB.close();
    await expect(keyframes[0]).resolves.toEqual({ codec: 'h264', width: 320, height: 240 });
    await expect(keyframes[1]).resolves.toEqual({ codec: 'h264', width: 640, height: 360 });
    for (const ingest of [a, b]) {
      const live = ms.server.ingests.get(ingest.ingestId);
      await waitFor(() => live.stats.frames >= 39, { what: `frames of ${ingest.ingestId}` });
      expect(live.stats.lost).toBe(0);
      await ms.platform.request('media.close-ingest', { ingestId: ingest.ingestId, reason: 'done' }, T);
    }
    expect(ms.server.sharedUdpStats?.unroutedPackets).toBe(0);
  });

  it('gives a stream with an unknown SSRC to the only ingest waiting for one', async () => {
    const ingest = await open('single-unknown', '34020000001320000003');
    await ms.platform.request(
      'media.connect-ingest',
      { ingestId: ingest.ingestId, host: '127.0.0.1', port: 15060, ssrc: null },
      T,
    );
    const keyframe = ms.platform.request(
      'media.await-keyframe',
      { ingestId: ingest.ingestId, timeoutMs: 5000 },
      { timeoutMs: 6000 },
    );
    const sender = await udpSender('127.0.0.1', ingest.port);
    await new GbDevice({ video: small, ssrc: 0x0bebdfa1 }).play(sender.send, { frames: 30, speed: 5 });
    sender.close();
    await expect(keyframe).resolves.toMatchObject({ width: 320, height: 240 });
    expect(ms.server.sharedUdpStats?.adoptedStreams).toBe(1);
    await ms.platform.request('media.close-ingest', { ingestId: ingest.ingestId, reason: 'done' }, T);
  });
});
