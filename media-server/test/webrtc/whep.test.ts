import { writeFileSync } from 'node:fs';
import { waitFor } from '@tessera/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signViewerToken } from '../../src/auth/viewer-token';
import type { WebRtcViewer } from '../../src/webrtc/webrtc-viewer';
import { ffprobe, scratchDir } from '@tessera/media-protocols/testing';
import { encodeTestVideo, GbDevice, udpSender } from '../support/gb-device';
import { startTestMediaServer, TEST_SECRET, type TestMediaServer } from '../support/media-server';
import { postOffer, WhepTestClient } from '../support/whep-client';

const T = { timeoutMs: 5000 };
const SESSION = 'whep-session';

function token(sessionId = SESSION, expInSec = 60, secret = TEST_SECRET): string {
  return signViewerToken(
    { sessionId, viewer: 'user-7', exp: Math.floor(Date.now() / 1000) + expInSec },
    secret,
  );
}

describe('WebRTC relay over WHEP', () => {
  const scratch = scratchDir();
  const stop = new AbortController();
  let ms: TestMediaServer;
  let ingestId: string;
  let base: string;
  let playing: Promise<number>;
  const clients: WhepTestClient[] = [];

  beforeAll(async () => {
    // A 4 s GOP, so that joining mid-GOP without the cache would mean waiting seconds for a keyframe.
    const video = await encodeTestVideo(scratch.file('clip.h264'), { seconds: 4, gop: 100 });
    ms = await startTestMediaServer();
    base = `http://127.0.0.1:${ms.server.httpPort}`;
    const ingest = await ms.platform.request(
      'media.open-ingest',
      { sessionId: SESSION, channelId: '34020000001320000001', transport: 'udp', realm: '3402000000' },
      T,
    );
    ingestId = ingest.ingestId;
    await ms.platform.request(
      'media.connect-ingest',
      { ingestId, host: '127.0.0.1', port: 15060, ssrc: ingest.ssrc },
      T,
    );
    const sender = await udpSender(ingest.host, ingest.port);
    playing = new GbDevice({ video, ssrc: Number(ingest.ssrc) })
      .play(sender.send, { signal: stop.signal })
      .finally(() => sender.close());
    await ms.platform.request('media.await-keyframe', { ingestId, timeoutMs: 5000 }, { timeoutMs: 6000 });
  });

  afterAll(async () => {
    stop.abort();
    await playing;
    for (const c of clients) await c.close();
    await ms?.close();
    scratch.remove();
  });

  it('requires a viewer token: missing 401, forged / expired / other session 403', async () => {
    const client = new WhepTestClient();
    clients.push(client);
    const offer = await client.offer();
    const url = `${base}/whep/${SESSION}`;
    const missing = await postOffer(url, offer, undefined);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    expect((await postOffer(url, offer, token(SESSION, 60, 'another-secret-of-some-length'))).status).toBe(
      403,
    );
    expect((await postOffer(url, offer, token(SESSION, -1))).status).toBe(403);
    const other = await postOffer(url, offer, token('another-session'));
    expect(other.status).toBe(403);
    expect(JSON.parse(other.body)).toMatchObject({
      error: 'access_denied',
      message: expect.stringMatching(/other-session/),
    });
    expect((await postOffer(`${base}/whep/no-such-session`, offer, token('no-such-session'))).status).toBe(
      404,
    );
    expect(ms.server.whepStats).toMatchObject({ unauthenticated: 1, denied: 3, joins: 0 });
  });

  it('answers CORS preflight so a console on another origin can call it', async () => {
    const response = await fetch(`${base}/whep/${SESSION}`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://console.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    expect(response.headers.get('access-control-expose-headers')).toMatch(/Location/);
    expect(response.headers.get('accept-post')).toBe('application/sdp');
  });

  it('starts a viewer at once from the cached GOP, keyframe first, and the H.264 decodes', async () => {
    const ingest = ms.server.ingests.get(ingestId);
    // Join well into a GOP: the camera's next keyframe is ≥ 2.4 s away.
    await waitFor(() => ingest.live.gop().length >= 20 && ingest.live.gop().length <= 40, {
      intervalMs: 5,
      what: 'mid-GOP',
    });
    const keyframesAtJoin = ingest.stats.keyframes;
    const client = new WhepTestClient();
    clients.push(client);
    const response = await client.join(`${base}/whep/${SESSION}`, token());
    expect(client.location).toMatch(new RegExp(`^/whep/${SESSION}/[0-9a-f-]{36}$`));
    expect(response.headers.get('content-type')).toBe('application/sdp');
    expect(response.body).toMatch(/a=candidate:\S+ 1 udp \d+ 127\.0\.0\.1 \d+ typ host/);
    // We picked packetization-mode=1 although the offer listed mode 0 first.
    expect(response.body).toMatch(
      /m=video \d+ UDP\/TLS\/RTP\/SAVPF (\d+)[\s\S]*a=fmtp:\1 [^\r\n]*packetization-mode=1/,
    );

    await client.waitFrames(20, 5000);
    expect(client.frames[0]!.keyframe).toBe(true);
    // SPS + PPS (one STAP-A) before the IDR.
    expect(client.frames[0]!.nalTypes.slice(0, 2)).toEqual([7, 8]);
    expect(client.frames[0]!.nalTypes).toContain(5);
    // The 20 frames came from the cache: the camera has not sent its next keyframe yet.
    expect(ingest.stats.keyframes).toBe(keyframesAtJoin);
    expect(client.frames[19]!.receivedAt - client.joinedAt).toBeLessThan(2000);
    // Squeezed start: the cached frames are one tick apart, then live timing (40 ms = 3600 ticks).
    expect((client.frames[1]!.rtpTimestamp - client.frames[0]!.rtpTimestamp) >>> 0).toBe(1);

    await client.waitFrames(60, 8000);
    const stamps = client.frames.slice(-10).map((f) => f.rtpTimestamp);
    expect(stamps.slice(1).map((t, i) => (t - stamps[i]!) >>> 0)).toEqual(Array(9).fill(3600));
    const file = scratch.file('received.h264');
    const received = [...client.frames];
    writeFileSync(file, Buffer.concat(received.map((f) => f.annexB)));
    expect((await ffprobe(file)).video).toMatchObject({
      codec: 'h264',
      width: 640,
      height: 360,
      frames: received.length,
    });
  });

  it("turns a viewer's PLI into one media.keyframe-wanted (the offer lists its own SSRC: werift misrouted that)", async () => {
    // GB/T 28181 has no in-band keyframe request: the platform asks the camera (DeviceControl IFameCmd) on this event.
    const client = clients.at(-1)!;
    const viewerId = client.location!.split('/').pop()!;
    const viewer = ms.server.ingests.get(ingestId).viewer(viewerId) as WebRtcViewer;
    expect(client.pc.localDescription!.sdp).toMatch(/a=ssrc:\d+/);
    const mediaSsrc = Number(/a=ssrc:(\d+)/.exec(client.pc.remoteDescription!.sdp)![1]);
    await client.pc.getTransceivers()[0]!.receiver.sendRtcpPLI(mediaSsrc);
    await waitFor(() => viewer.stats.pli === 1, { what: 'PLI counted' });
    await waitFor(() => ms.keyframesWanted.events.length === 1, { what: 'media.keyframe-wanted' });
    expect(ms.keyframesWanted.events[0]).toMatchObject({ ingestId, sessionId: SESSION, reason: 'pli' });
    // A burst of PLIs within the throttle interval asks the camera once.
    await client.pc.getTransceivers()[0]!.receiver.sendRtcpPLI(mediaSsrc);
    await waitFor(() => viewer.stats.pli === 2, { what: 'second PLI counted' });
    expect(ms.keyframesWanted.events).toHaveLength(1);
  });

  it('shares one ingest between viewers; DELETE leaves; the reader count goes 1 → 2 → 1 → 0', async () => {
    const [first] = clients.slice(-1);
    const second = new WhepTestClient();
    clients.push(second);
    await second.join(`${base}/whep/${SESSION}`, token());
    await second.waitFrames(10);
    expect(second.frames[0]!.keyframe).toBe(true);
    expect(ms.server.ingests.size).toBe(1);
    expect(ms.server.ingests.get(ingestId).viewerCount).toBe(2);

    for (const client of [second, first!]) {
      const left = await fetch(`${base}${client.location}`, {
        method: 'DELETE',
        headers: { Authorization: `Bearer ${token()}` },
      });
      expect(left.status).toBe(200);
    }
    await ms.viewers.next((e) => e.viewers === 0 && e.sessionId === SESSION);
    expect(ms.viewers.events.filter((e) => e.sessionId === SESSION).map((e) => e.viewers)).toEqual([
      1, 2, 1, 0,
    ]);
    const again = await fetch(`${base}${first!.location}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${token()}` },
    });
    expect(again.status).toBe(404);
  });

  it('closing the session closes its viewers', async () => {
    const client = new WhepTestClient();
    clients.push(client);
    await client.join(`${base}/whep/${SESSION}`, token());
    await client.waitFrames(5);
    const before = ms.viewers.events.length;
    await ms.platform.request('media.close-ingest', { ingestId, reason: 'test' }, T);
    await ms.viewers.next((e) => e.viewers === 0 && ms.viewers.events.indexOf(e) >= before);
    await expect(ms.ended.next((e) => e.ingestId === ingestId)).resolves.toMatchObject({ reason: 'closed' });
    // werift 0.24 sends no DTLS close_notify, so the peer only notices by consent expiry; but media stops.
    // (What was already handed to the socket still arrives.)
    await new Promise((r) => setTimeout(r, 300));
    const received = client.frames.length;
    await new Promise((r) => setTimeout(r, 500));
    expect(client.frames.length).toBe(received);
  });
});
