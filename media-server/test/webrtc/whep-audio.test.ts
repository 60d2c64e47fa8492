import { writeFileSync } from 'node:fs';
import { waitFor } from '@tessera/testkit';
import { RTCPeerConnection, RTCRtpCodecParameters } from 'werift';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signViewerToken } from '../../src/auth/viewer-token';
import { ffprobe, scratchDir } from '@tessera/media-protocols/testing';
import {
  encodeTestAudio,
  encodeTestG711a,
  encodeTestVideo,
  GbDevice,
  type GbDeviceOptions,
  type TestVideo,
  udpSender,
} from '../support/gb-device';
import { startTestMediaServer, TEST_SECRET, type TestMediaServer } from '../support/media-server';
import { LOOPBACK_ICE, postOffer, WhepTestClient } from '../support/whep-client';

const T = { timeoutMs: 5000 };

function token(sessionId: string): string {
  return signViewerToken(
    { sessionId, viewer: 'user-7', exp: Math.floor(Date.now() / 1000) + 60 },
    TEST_SECRET,
  );
}

/** The audio m-section of an SDP. */
function audioSection(sdp: string): string {
  const start = sdp.indexOf('m=audio ');
  if (start < 0) return '';
  const end = sdp.indexOf('\nm=', start + 1);
  return sdp.slice(start, end < 0 ? undefined : end);
}

/** Third-party WHEP players (and browsers playing a <video> with sound) offer audio with the video (issue 17). */
describe('WHEP offers with audio', () => {
  const scratch = scratchDir();
  const stop = new AbortController();
  const playing: Promise<number>[] = [];
  const clients: WhepTestClient[] = [];
  let video: TestVideo;
  let aac: Buffer[];
  let alaw: Buffer[];
  let ms: TestMediaServer;
  let base: string;

  /** A camera on its own session, sending until the end of the file. */
  async function startCamera(sessionId: string, audio: Pick<GbDeviceOptions, 'audio' | 'audioCodec'>) {
    const ingest = await ms.platform.request(
      'media.open-ingest',
      { sessionId, channelId: '34020000001320000001', transport: 'udp', realm: '3402000000' },
      T,
    );
    await ms.platform.request(
      'media.connect-ingest',
      { ingestId: ingest.ingestId, host: '127.0.0.1', port: 15060, ssrc: ingest.ssrc },
      T,
    );
    const sender = await udpSender(ingest.host, ingest.port);
    playing.push(
      new GbDevice({ video, ssrc: Number(ingest.ssrc), ...audio })
        .play(sender.send, { signal: stop.signal })
        .finally(() => sender.close()),
    );
    await ms.platform.request(
      'media.await-keyframe',
      { ingestId: ingest.ingestId, timeoutMs: 5000 },
      { timeoutMs: 6000 },
    );
    const live = ms.server.ingests.get(ingest.ingestId);
    if (audio.audio) await waitFor(() => live.audioCodec !== undefined, { what: 'audio demuxed' });
    return live;
  }

  beforeAll(async () => {
    [video, aac, alaw] = await Promise.all([
      encodeTestVideo(scratch.file('clip.h264'), { seconds: 2 }),
      encodeTestAudio(scratch.file('tone.aac'), 2),
      encodeTestG711a(scratch.file('tone.alaw'), 2),
    ]);
    ms = await startTestMediaServer();
    base = `http://127.0.0.1:${ms.server.httpPort}`;
  });

  afterAll(async () => {
    stop.abort();
    await Promise.all(playing);
    for (const c of clients) await c.close();
    await ms?.close();
    scratch.remove();
  });

  it('a WHEP offer with audio is answered and plays video (a camera without audio: the audio m-line inactive)', async () => {
    const live = await startCamera('audio-none', {});
    expect(live.audioCodec).toBeUndefined();
    const client = new WhepTestClient({ audio: true });
    clients.push(client);
    const response = await client.join(`${base}/whep/audio-none`, token('audio-none'));
    expect(response.status).toBe(201);
    expect(audioSection(response.body)).toMatch(/a=inactive/);
    await client.waitFrames(30, 8000);
    const file = scratch.file('no-audio-session.h264');
    const received = [...client.frames];
    writeFileSync(file, Buffer.concat(received.map((f) => f.annexB)));
    expect((await ffprobe(file)).video).toMatchObject({ codec: 'h264', width: 640, height: 360 });
    expect(client.audioPackets).toHaveLength(0);
  });

  it("turns the camera's AAC into Opus (ffmpeg) for a viewer whose offer has it, while it watches", async () => {
    const live = await startCamera('audio-aac', { audio: aac, audioCodec: 'aac' });
    expect(live.audioCodec).toBe('aac');
    const client = new WhepTestClient({ audio: true });
    clients.push(client);
    const response = await client.join(`${base}/whep/audio-aac`, token('audio-aac'));
    const audio = audioSection(response.body);
    expect(audio).toMatch(/a=sendonly/);
    const pt = /a=rtpmap:(\d+) opus\/48000\/2/.exec(audio)?.[1];
    expect(pt).toBeDefined();
    await client.waitFrames(10, 8000);
    await waitFor(() => client.audioPackets.length >= 25, { timeoutMs: 10_000, what: '25 Opus packets' });
    expect(live.transcodingAudio).toBe(true);
    const packets = client.audioPackets.slice(0, 25);
    expect(packets.every((p) => p.header.payloadType === Number(pt))).toBe(true);
    // 20 ms Opus frames (TOC: one frame of 960 samples) on the 48 kHz clock.
    const steps = packets.slice(1).map((p, i) => (p.header.timestamp - packets[i]!.header.timestamp) >>> 0);
    expect(steps).toEqual(Array(24).fill(960));
    const left = await fetch(`${base}${client.location}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${token('audio-aac')}` },
    });
    expect(left.status).toBe(200);
    await waitFor(() => !live.transcodingAudio, { what: 'audio transcoder stopped' });
  });

  it("relays the camera's G.711 A-law as PCMA to a viewer whose offer has it", async () => {
    const live = await startCamera('audio-g711', { audio: alaw, audioCodec: 'g711a' });
    expect(live.audioCodec).toBe('g711a');
    const client = new WhepTestClient({ audio: true });
    clients.push(client);
    const response = await client.join(`${base}/whep/audio-g711`, token('audio-g711'));
    const audio = audioSection(response.body);
    expect(audio).toMatch(/a=sendonly/);
    const pt = /a=rtpmap:(\d+) PCMA\/8000/.exec(audio)?.[1];
    expect(pt).toBeDefined();
    expect(audio).not.toMatch(/opus|PCMU/);
    await client.waitFrames(10, 8000);
    await waitFor(() => client.audioPackets.length >= 20, { what: '20 audio packets' });
    const packets = client.audioPackets.slice(0, 20);
    expect(packets.every((p) => p.header.payloadType === Number(pt))).toBe(true);
    // The camera's own bytes (one A-law byte a sample), 40 ms apart on the 8 kHz clock.
    expect(packets.every((p) => p.payload.length === 320)).toBe(true);
    const steps = packets.slice(1).map((p, i) => (p.header.timestamp - packets[i]!.header.timestamp) >>> 0);
    expect(steps).toEqual(Array(19).fill(320));
    expect(alaw.some((frame) => frame.equals(packets[5]!.payload))).toBe(true);
  });

  it('an offer with only audio, or without H.264, is refused 400 with the reason', async () => {
    await startCamera('audio-refused', {});
    const offerOf = async (
      setup: (pc: RTCPeerConnection) => void,
      codecs: ConstructorParameters<typeof RTCPeerConnection>[0],
    ) => {
      const pc = new RTCPeerConnection({ ...LOOPBACK_ICE, ...codecs });
      setup(pc);
      await pc.setLocalDescription(await pc.createOffer());
      const sdp = pc.localDescription!.sdp;
      await pc.close();
      return sdp;
    };
    const audioOnly = await offerOf((pc) => pc.addTransceiver('audio', { direction: 'recvonly' }), {
      codecs: {
        audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48_000, channels: 2 })],
      },
    });
    const vp8Only = await offerOf(
      (pc) => {
        pc.addTransceiver('audio', { direction: 'recvonly' });
        pc.addTransceiver('video', { direction: 'recvonly' });
      },
      {
        codecs: {
          audio: [new RTCRtpCodecParameters({ mimeType: 'audio/PCMU', clockRate: 8000 })],
          video: [new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90_000 })],
        },
      },
    );
    const url = `${base}/whep/audio-refused`;
    const refusedAudio = await postOffer(url, audioOnly, token('audio-refused'));
    expect(refusedAudio.status).toBe(400);
    expect(refusedAudio.body).toMatch(/no video m-line/);
    const refusedVp8 = await postOffer(url, vp8Only, token('audio-refused'));
    expect(refusedVp8.status).toBe(400);
    expect(refusedVp8.body).toMatch(/no H\.264/);
    // The server still serves a good offer afterwards.
    const client = new WhepTestClient({ audio: true });
    clients.push(client);
    await client.join(url, token('audio-refused'));
    await client.waitFrames(5, 8000);
  });
});
