import { BusRemoteError, MemoryBroker, MemoryBus, MemoryKeyValueStore, MemoryLeaseStore } from '@tessera/bus';
import {
  type StreamEnded,
  StreamRecord,
  streamLeaseKey,
  streamRecordKey,
  type ViewerRequest,
} from '@tessera/contracts';
import { createLogger } from '@tessera/kit';
import { scratchDir } from '@tessera/media-protocols/testing';
import { waitFor } from '@tessera/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BusCamera } from '../support/bus-camera';
import { encodeTestVideo, type TestVideo } from '../support/gb-device';
import { startTestMediaServer, type TestMediaServer } from '../support/media-server';

const REALM = '3402000000';
const DEVICE = '34020000001110000001';
let serial = 0;
const nextChannel = () => `3402000000132${String(++serial).padStart(7, '0')}`;

const viewerRequest = (channelId: string, extra: Partial<ViewerRequest> = {}): ViewerRequest => ({
  channelId,
  deviceId: DEVICE,
  civilCode: '34020000',
  transport: 'udp',
  realm: REALM,
  purpose: 'view',
  timeoutMs: 8_000,
  ...extra,
});

/**
 * A channel's stream on the media server that owns it (media-server/src/streams): one INVITE however many readers,
 * keyframe requests answered by the owner, the BYE after the grace period, the end told on the bus, and the lease
 * and store record that make the ownership visible to the platform and the other media servers. The camera is real
 * H.264 over RTP (BusCamera); the gateway is its bus side.
 */
describe('ChannelStream and StreamRegistry on one media server', () => {
  const scratch = scratchDir();
  let video: TestVideo;
  let broker: MemoryBroker;
  let ms: TestMediaServer;
  /** The platform's and the gateway's side of the bus. */
  let peer: MemoryBus;
  let camera: BusCamera;
  let store: MemoryKeyValueStore;
  let leases: MemoryLeaseStore;
  const ended: StreamEnded[] = [];

  beforeAll(async () => {
    video = await encodeTestVideo(scratch.file('clip.h264'), { seconds: 1 });
  });
  afterAll(() => scratch.remove());

  beforeEach(async () => {
    broker = new MemoryBroker();
    ms = await startTestMediaServer(
      { playGraceMs: 0, publicUrl: 'https://media-a.example.org' },
      { broker, node: 'media-a', joinWindowMs: 300 },
    );
    store = new MemoryKeyValueStore({ broker });
    leases = new MemoryLeaseStore({ broker });
    peer = new MemoryBus({ broker, logger: createLogger('peer', 'silent') });
    camera = await new BusCamera(peer, video).start();
    ended.length = 0;
    await peer.subscribe('media.stream-ended', (e) => {
      ended.push(e);
    });
  });
  afterEach(async () => {
    // The media server first: it hangs up its streams through the camera's gateway.
    await ms?.close();
    await camera?.close();
    await peer?.close();
  });

  const ask = (request: ViewerRequest) => peer.request('media.viewer', request, { timeoutMs: 10_000 });
  const record = async (channelId: string) => {
    const text = await store.get(streamRecordKey(channelId));
    return text ? StreamRecord.parse(JSON.parse(text)) : null;
  };

  it('readers asking at once share one upstream: one INVITE, one stream id, the lease and the record ours', async () => {
    const channelId = nextChannel();
    const answers = await Promise.all([1, 2, 3].map(() => ask(viewerRequest(channelId))));
    expect(camera.invitesFor(channelId)).toHaveLength(1);
    expect(new Set(answers.map((a) => a.streamId)).size).toBe(1);
    expect(answers.filter((a) => !a.shared)).toHaveLength(1);
    expect(answers[0]).toMatchObject({
      node: 'media-a',
      whepBase: 'https://media-a.example.org',
      stream: { codec: 'h264', width: 640, height: 360 },
    });
    expect(camera.invitesFor(channelId)[0]).toMatchObject({
      sessionId: answers[0]!.streamId,
      transport: 'udp',
    });
    expect((await leases.holder(streamLeaseKey(channelId)))?.holder).toBe('media-a');
    expect(await record(channelId)).toMatchObject({
      streamId: answers[0]!.streamId,
      node: 'media-a',
      channelId,
      deviceId: DEVICE,
      state: 'live',
      codec: 'h264',
      callId: expect.stringMatching(/^call-/),
    });
  });

  it('nobody connecting: held for the join window, then BYE, record and lease gone, media.stream-ended', async () => {
    const channelId = nextChannel();
    const answer = await ask(viewerRequest(channelId));
    const callId = [...camera.calls.keys()].find((id) => id.endsWith(channelId))!;
    await waitFor(() => camera.byes.includes(callId), {
      what: 'BYE after the join window',
      timeoutMs: 5_000,
    });
    await waitFor(() => ended.some((e) => e.streamId === answer.streamId), { what: 'media.stream-ended' });
    expect(ended.find((e) => e.streamId === answer.streamId)).toMatchObject({
      channelId,
      node: 'media-a',
      civilCode: '34020000',
      reason: 'no viewers',
    });
    expect(await record(channelId)).toBeNull();
    expect(await leases.holder(streamLeaseKey(channelId))).toBeNull();
    expect(ms.server.snapshot().filter((i) => i.channelId === channelId)).toEqual([]);
    // The next reader starts a new upstream.
    const again = await ask(viewerRequest(channelId));
    expect(again.streamId).not.toBe(answer.streamId);
    expect(camera.invitesFor(channelId)).toHaveLength(2);
  });

  it("the owner answers a reader's keyframe request itself (gateway.keyframe), for its own streams only", async () => {
    const channelId = nextChannel();
    const answer = await ask(viewerRequest(channelId));
    await peer.publish('media.keyframe-wanted', {
      ingestId: answer.ingestId,
      sessionId: answer.streamId,
      reason: 'pli',
      at: new Date().toISOString(),
    });
    await waitFor(() => camera.keyframes.includes(channelId), { what: 'IFameCmd asked of the gateway' });
    await peer.publish('media.keyframe-wanted', {
      ingestId: 'elsewhere',
      sessionId: 'a-stream-of-another-node',
      reason: 'pli',
      at: new Date().toISOString(),
    });
    expect(camera.keyframes).toEqual([channelId]);
  });

  it('the device hanging up ends the stream without a BYE of ours', async () => {
    const channelId = nextChannel();
    const answer = await ask(viewerRequest(channelId));
    const callId = [...camera.calls.keys()].find((id) => id.endsWith(channelId))!;
    await peer.publish('gateway.call-ended', {
      callId,
      sessionId: answer.streamId,
      reason: 'device-bye',
      at: new Date().toISOString(),
    });
    await waitFor(() => ended.some((e) => e.streamId === answer.streamId), { what: 'media.stream-ended' });
    expect(ended.find((e) => e.streamId === answer.streamId)?.reason).toBe('call device-bye');
    expect(camera.byes).not.toContain(callId);
  });

  it('media.stream-stop at the owner node ends it for every reader', async () => {
    const channelId = nextChannel();
    const answer = await ask(viewerRequest(channelId));
    await peer.request(
      'media.stream-stop',
      { streamId: answer.streamId, reason: 'stopped by admin' },
      { node: 'media-a', timeoutMs: 5_000 },
    );
    expect(ended.find((e) => e.streamId === answer.streamId)?.reason).toBe('stopped by admin');
    expect(camera.byes).toHaveLength(1);
    expect(await record(channelId)).toBeNull();
  });

  it('a lost lease (another node holds it now) stops the stream and hangs up, leaving the record to the new owner', async () => {
    // Held by its join window for longer than a renewal takes, so that only the lease can end it.
    await ms.close();
    ms = await startTestMediaServer({ playGraceMs: 0 }, { broker, node: 'media-a', joinWindowMs: 60_000 });
    const channelId = nextChannel();
    const answer = await ask(viewerRequest(channelId));
    // As after a network partition: the lease expired and another node took it.
    await leases.release(streamLeaseKey(channelId), 'media-a');
    expect(await leases.acquire(streamLeaseKey(channelId), 'media-b', 5_000)).not.toBeNull();
    await waitFor(() => ended.some((e) => e.streamId === answer.streamId), {
      what: 'the stream ends at the next renewal',
      timeoutMs: 5_000,
    });
    expect(ended.find((e) => e.streamId === answer.streamId)?.reason).toBe('lease lost');
    expect(camera.byes).toHaveLength(1);
    expect((await leases.holder(streamLeaseKey(channelId)))?.holder).toBe('media-b');
  });

  it('a device the gateway has not registered: the reader is told so, nothing stays open', async () => {
    const channelId = nextChannel();
    camera.unregistered.add(DEVICE);
    try {
      const failed = await ask(viewerRequest(channelId)).catch((error: unknown) => error);
      expect(failed).toBeInstanceOf(BusRemoteError);
      expect(failed).toMatchObject({
        code: 'device_not_registered',
        message: `device ${DEVICE} is not registered with the gateway; no INVITE was sent`,
      });
    } finally {
      camera.unregistered.delete(DEVICE);
    }
    expect(ms.server.snapshot().filter((i) => i.channelId === channelId)).toEqual([]);
    expect(await record(channelId)).toBeNull();
    expect(await leases.holder(streamLeaseKey(channelId))).toBeNull();
  });

  it("a new owner of an expired lease first hangs up the call it finds in the dead owner's record", async () => {
    const channelId = nextChannel();
    const leftover: StreamRecord = {
      streamId: 'dead-stream',
      node: 'media-dead',
      channelId,
      deviceId: DEVICE,
      civilCode: '34020000',
      transport: 'udp',
      state: 'live',
      viewers: 1,
      codec: 'h264',
      startedAt: new Date().toISOString(),
      callId: 'call-of-the-dead-owner',
      leaseExpiresAt: Date.now() - 1,
    };
    await store.set(streamRecordKey(channelId), JSON.stringify(leftover));
    const answer = await ask(viewerRequest(channelId));
    expect(camera.byes).toEqual(['call-of-the-dead-owner']);
    expect(camera.invitesFor(channelId)).toHaveLength(1);
    expect(await record(channelId)).toMatchObject({ streamId: answer.streamId, node: 'media-a' });
  });
});
