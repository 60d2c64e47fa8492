import { createServer, type Socket } from 'node:net';
import { freePort } from '@tessera/testkit';
import { waitFor } from '@tessera/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frameRfc4571 } from '@tessera/media-protocols';
import { scratchDir } from '@tessera/media-protocols/testing';
import { encodeTestVideo, GbDevice, type TestVideo, tcpConnect } from '../support/gb-device';
import { startTestMediaServer, type TestMediaServer } from '../support/media-server';

const REALM = '3402000000';
const CHANNEL = '34020000001320000001';
const T = { timeoutMs: 5000 };

describe('TCP ingest (RFC 4571)', () => {
  const scratch = scratchDir();
  let video: TestVideo;
  let ms: TestMediaServer;

  beforeAll(async () => {
    video = await encodeTestVideo(scratch.file('clip.h264'), { seconds: 2 });
    ms = await startTestMediaServer(
      { mediaTimeoutMs: 6000 },
      { tcpRetryDelayMs: 1000, tcpConnectAttempts: 3 },
    );
  });

  afterAll(async () => {
    await ms?.close();
    scratch.remove();
  });

  it('tcp-passive: the device connects to our port; the end of its connection ends the ingest', async () => {
    const ingest = await ms.platform.request(
      'media.open-ingest',
      { sessionId: 'tcp-passive', channelId: CHANNEL, transport: 'tcp-passive', realm: REALM },
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
    const device = await tcpConnect(ingest.host, ingest.port);
    // srs-bench writes each 2-byte length in its own segment: split every frame after its length.
    const send = (packet: Buffer) => {
      const framed = frameRfc4571(packet);
      device.socket.write(framed.subarray(0, 2));
      device.socket.write(framed.subarray(2));
    };
    await new GbDevice({ video, ssrc: Number(ingest.ssrc), marker: false }).play(send, {
      frames: 30,
      speed: 5,
    });
    await expect(keyframe).resolves.toEqual({ codec: 'h264', width: 640, height: 360 });
    const live = ms.server.ingests.get(ingest.ingestId);
    await waitFor(() => live.stats.frames >= 29, { what: '29 frames' });
    expect(live.stats).toMatchObject({ lost: 0, tcpGarbageBytes: 0, keyframes: 2 });

    device.socket.end();
    await expect(ms.ended.next((e) => e.ingestId === ingest.ingestId)).resolves.toMatchObject({
      reason: 'connection-closed',
      sessionId: 'tcp-passive',
    });
  });

  it('tcp-active: we connect to the port the device answered, retrying until it listens', async () => {
    const port = await freePort();
    const ingest = await ms.platform.request(
      'media.open-ingest',
      { sessionId: 'tcp-active', channelId: CHANNEL, transport: 'tcp-active', realm: REALM },
      T,
    );
    const answeredAt = Date.now();
    await ms.platform.request(
      'media.connect-ingest',
      { ingestId: ingest.ingestId, host: '127.0.0.1', port, ssrc: '0200000777' },
      T,
    );
    // The device starts listening only 1.5 s after its answer: the first attempts are refused.
    await new Promise((r) => setTimeout(r, 1500));
    const server = createServer();
    const connection = new Promise<Socket>((resolve) => server.once('connection', resolve));
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    const socket = await connection;
    expect(Date.now() - answeredAt).toBeGreaterThanOrEqual(1500);
    const keyframe = ms.platform.request(
      'media.await-keyframe',
      { ingestId: ingest.ingestId, timeoutMs: 5000 },
      { timeoutMs: 6000 },
    );
    const device = new GbDevice({ video, ssrc: 777 });
    await device.play((p) => socket.write(frameRfc4571(p)), { frames: 30, speed: 5 });
    await expect(keyframe).resolves.toEqual({ codec: 'h264', width: 640, height: 360 });
    const live = ms.server.ingests.get(ingest.ingestId);
    expect(live.stats.tcpConnectAttempts).toBeGreaterThanOrEqual(2);
    await ms.platform.request('media.close-ingest', { ingestId: ingest.ingestId, reason: 'done' }, T);
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    server.close();
  });

  it('tcp-active: gives up after its attempts and ends the ingest (connection-closed)', async () => {
    // Port 1 (tcpmux) on loopback: refused at once, and no test can have taken it.
    const port = 1;
    const ingest = await ms.platform.request(
      'media.open-ingest',
      { sessionId: 'tcp-active-refused', channelId: CHANNEL, transport: 'tcp-active', realm: REALM },
      T,
    );
    await ms.platform.request(
      'media.connect-ingest',
      { ingestId: ingest.ingestId, host: '127.0.0.1', port, ssrc: null },
      T,
    );
    const ended = await ms.ended.next((e) => e.ingestId === ingest.ingestId, 10_000);
    expect(ended.reason).toBe('connection-closed');
  });
});
