import { execFile } from 'node:child_process';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MemoryBroker, MemoryBus, MemoryKeyValueStore } from '@tessera/bus';
import type { CallEnded, InviteRequest, InviteResult, MediaTransport } from '@tessera/contracts';
import { Gateway, loadGatewayConfig } from '@tessera/gateway';
import { gbSsrcToRtp } from '@tessera/gb28181';
import { createLogger } from '@tessera/kit';
import {
  parseRtpPacket,
  PsDemuxer,
  type PsDemuxerEvent,
  Rfc4571Deframer,
  type RtpPacket,
  type VideoAccessUnit,
} from '@tessera/media-protocols';
import { waitFor } from '@tessera/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createSimulatorEndpoint,
  type MediaEndReason,
  type MediaSessionInfo,
  planCity,
  type SimulatedDevice,
  Simulator,
} from '../src/simulator';
import { SIMULATED_DEVICE_PASSWORD } from '../src/tessera-instance';

const SERVER_ID = '43010000002000000001';
const logger = createLogger('sim-media-test', process.env.TESSERA_TEST_LOG ?? 'silent');
const run = promisify(execFile);
const DEADLINE = { timeoutMs: 15_000 };

/** What the platform side of a test receives: RTP in, PS demuxed with the media server's own demuxer. */
class RtpCollector {
  readonly packets: RtpPacket[] = [];
  readonly frames: { au: VideoAccessUnit; at: number }[] = [];
  readonly ps: Buffer[] = [];
  readonly #demuxer = new PsDemuxer();
  #lastSeq: number | undefined;
  gaps = 0;

  push(datagram: Buffer): void {
    const packet = parseRtpPacket(datagram);
    if (this.#lastSeq !== undefined && packet.sequenceNumber !== ((this.#lastSeq + 1) & 0xffff)) this.gaps++;
    this.#lastSeq = packet.sequenceNumber;
    this.packets.push(packet);
    this.ps.push(Buffer.from(packet.payload));
    this.#take(this.#demuxer.push(Buffer.from(packet.payload)));
  }

  flush(): void {
    this.#take(this.#demuxer.flush());
  }

  keyframes(): { au: VideoAccessUnit; at: number }[] {
    return this.frames.filter((f) => f.au.keyframe);
  }

  #take(events: PsDemuxerEvent[]): void {
    for (const event of events)
      if (event.type === 'video') this.frames.push({ au: event.accessUnit, at: Date.now() });
  }
}

/** RFC 4571 over a TCP socket into a collector. */
function collectTcp(socket: Socket, collector: RtpCollector): void {
  const deframer = new Rfc4571Deframer({ framing: 'rfc4571' });
  socket.on('data', (chunk: Buffer) => {
    for (const frame of deframer.push(chunk)) collector.push(frame.data);
  });
  socket.on('error', () => undefined);
}

async function setup(sipTransport: 'udp' | 'tcp' = 'udp') {
  const broker = new MemoryBroker();
  const bus = new MemoryBus({ broker, logger });
  await bus.handle('inventory.device-policy', async () => ({
    known: false,
    digest: null,
    charset: null,
    keepaliveIntervalSec: null,
    keepaliveCount: null,
    enabled: true,
  }));
  const ended: CallEnded[] = [];
  await bus.subscribe('gateway.call-ended', (event) => {
    ended.push(event);
  });
  const gateway = await Gateway.start({
    config: loadGatewayConfig({
      TESSERA_SIP_ID: SERVER_ID,
      TESSERA_SIP_HOST: '127.0.0.1',
      TESSERA_SIP_PORT: '0',
      TESSERA_SIP_PASSWORD: SIMULATED_DEVICE_PASSWORD,
    }),
    bus,
    store: new MemoryKeyValueStore({ broker }),
    logger,
  });
  const { endpoint, port } = await createSimulatorEndpoint({});
  // Six IPCs: channel IDs are the device IDs, and channel serial 5 is the plan's H.265 one.
  const devices = planCity({ devices: 6, seed: 11, nvrShare: 0 });
  const simulator = new Simulator({
    endpoint,
    server: { id: SERVER_ID, host: '127.0.0.1', port: gateway.port, transport: sipTransport },
    devices,
    password: SIMULATED_DEVICE_PASSWORD,
    logger,
    media: { contact: { host: '127.0.0.1', port } },
  });
  await simulator.start();
  expect(simulator.registeredCount()).toBe(6);
  const sockets: (UdpSocket | Server | Socket)[] = [];
  return {
    gateway,
    bus,
    simulator,
    ended,
    sockets,
    device: (codec: 'h264' | 'h265'): SimulatedDevice => devices.find((d) => d.channels[0]!.codec === codec)!,
    invite: (device: SimulatedDevice, transport: MediaTransport, mediaPort: number, ssrc = '0430100001') => {
      const request: InviteRequest = {
        sessionId: `session-${transport}`,
        deviceId: device.deviceId,
        channelId: device.channels[0]!.channelId,
        sessionName: 'Play',
        mediaHost: '127.0.0.1',
        mediaPort,
        transport,
        ssrc,
        startTime: null,
        endTime: null,
      };
      return bus.request('gateway.invite', request, DEADLINE);
    },
    close: async () => {
      // The gateway first: it hangs up what is still up while the simulator can still answer its BYEs.
      await gateway.close();
      for (const socket of sockets) {
        if ('destroy' in socket) socket.destroy();
        else socket.close();
      }
      await simulator.stop();
      await endpoint.close();
      await bus.close();
    },
  };
}

async function udpReceiver(collector: RtpCollector): Promise<UdpSocket> {
  const socket = createSocket('udp4');
  socket.on('message', (datagram) => collector.push(datagram));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return socket;
}

function answered(result: InviteResult): Extract<InviteResult, { ok: true }> {
  if (!result.ok) throw new Error(`INVITE refused: ${result.status} ${result.reason}`);
  return result;
}

function started(s: Awaited<ReturnType<typeof setup>>): Promise<MediaSessionInfo> {
  return once(s.simulator.media, 'session-started').then(([info]) => info as MediaSessionInfo);
}

function ended(s: Awaited<ReturnType<typeof setup>>): Promise<[MediaSessionInfo, MediaEndReason]> {
  return once(s.simulator.media, 'session-ended') as Promise<[MediaSessionInfo, MediaEndReason]>;
}

function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

describe('simulated cameras stream real video as PS over RTP', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('UDP: H.264 1280×720, an IDR every 2 s, SSRC = y=; gateway.bye stops the stream and its ffmpeg', async () => {
    const s = await setup('udp');
    close = s.close;
    const collector = new RtpCollector();
    const socket = await udpReceiver(collector);
    s.sockets.push(socket);
    const streaming = started(s);
    const result = answered(await s.invite(s.device('h264'), 'udp', socket.address().port, '0430100001'));
    expect(result).toMatchObject({ deviceHost: '127.0.0.1', ssrc: '0430100001', setup: null });
    const { pid } = await streaming;
    expect(pid).toBeGreaterThan(0);

    await waitFor(() => collector.keyframes().length >= 2, { what: 'two keyframes', timeoutMs: 8_000 });
    const [first, second] = collector.keyframes();
    // The GOP is 50 frames at 25 fps: exactly 2 s of 90 kHz PTS, and about 2 s on the wall clock.
    expect(second!.au.pts! - first!.au.pts!).toBe(180_000);
    expect(second!.at - first!.at).toBeGreaterThan(1_500);
    expect(second!.at - first!.at).toBeLessThan(2_600);
    expect(first!.au).toMatchObject({ codec: 'h264', track: { width: 1280, height: 720 } });
    expect(collector.frames.slice(1, 10).every((f) => !f.au.keyframe)).toBe(true);
    for (const packet of collector.packets) {
      expect(packet.ssrc).toBe(gbSsrcToRtp('0430100001'));
      expect(packet.payloadType).toBe(96);
      expect(packet.payload.length).toBeLessThanOrEqual(1400);
    }

    const stopped = ended(s);
    expect(await s.bus.request('gateway.bye', { callId: result.callId }, DEADLINE)).toEqual({ ok: true });
    const [info, reason] = await stopped;
    expect(reason).toBe('bye');
    expect(info.stats?.keyframes).toBeGreaterThanOrEqual(2);
    expect(processGone(pid!)).toBe(true);
    const count = collector.packets.length;
    // Absence cannot be awaited: give in-flight datagrams a moment, then nothing more may have come.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(collector.packets.length).toBe(count);
    expect(s.simulator.media.sessions()).toEqual([]);
    expect(s.ended).toEqual([]);
  });

  it('TCP passive (the device connects, RFC 4571), and ffprobe reads the same H.264 frames from the PS', async () => {
    const s = await setup('udp');
    close = s.close;
    const collector = new RtpCollector();
    const server = createServer();
    s.sockets.push(server);
    const accepted = once(server, 'connection').then(([socket]) => socket as Socket);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const result = answered(await s.invite(s.device('h264'), 'tcp-passive', port));
    // The device connects to us: it answers active (port 9 per RFC 4145).
    expect(result).toMatchObject({ setup: 'active', devicePort: 9, ssrc: '0430100001' });
    const socket = await accepted;
    s.sockets.push(socket);
    collectTcp(socket, collector);
    await waitFor(() => collector.frames.length >= 30, { what: '30 frames', timeoutMs: 8_000 });

    const closed = once(socket, 'close');
    await s.bus.request('gateway.bye', { callId: result.callId }, DEADLINE);
    await closed; // the device closed its side: everything it sent has arrived
    collector.flush();
    expect(collector.gaps).toBe(0);
    expect(collector.frames[0]!.au).toMatchObject({ codec: 'h264', keyframe: true, track: { width: 1280 } });

    const dir = mkdtempSync(join(tmpdir(), 'tessera-sim-ps-'));
    try {
      const file = join(dir, 'stream.ps');
      writeFileSync(file, Buffer.concat(collector.ps));
      const { stdout } = await run('ffprobe', [
        '-v',
        'error',
        '-count_frames',
        '-select_streams',
        'v:0',
        '-show_entries',
        'stream=codec_name,width,height,nb_read_frames',
        '-of',
        'json',
        file,
      ]);
      const probed = (JSON.parse(stdout) as { streams: Record<string, string | number>[] }).streams[0]!;
      expect(probed).toMatchObject({ codec_name: 'h264', width: 1280, height: 720 });
      expect(Number(probed.nb_read_frames)).toBe(collector.frames.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('TCP active over SIP/TCP (the device listens, we connect), with a y= of the device’s own', async () => {
    const s = await setup('tcp');
    close = s.close;
    const device = s.device('h264');
    s.simulator.media.setAnswerSsrc(device.channels[0]!.channelId, '0430109999');
    const result = answered(await s.invite(device, 'tcp-active', 40000, '0430100001'));
    expect(result).toMatchObject({ setup: 'passive', deviceHost: '127.0.0.1', ssrc: '0430109999' });
    const collector = new RtpCollector();
    const socket = connect(result.devicePort!, result.deviceHost!);
    s.sockets.push(socket);
    collectTcp(socket, collector);
    await waitFor(() => collector.frames.length >= 10, { what: '10 frames', timeoutMs: 8_000 });
    // The SSRC the device answered is the one on the wire, not the one we offered.
    expect(new Set(collector.packets.map((p) => p.ssrc))).toEqual(new Set([gbSsrcToRtp('0430109999')]));
    expect(collector.frames[0]!.au.codec).toBe('h264');
    const stopped = ended(s);
    await s.bus.request('gateway.bye', { callId: result.callId }, DEADLINE);
    expect((await stopped)[1]).toBe('bye');
  });

  it('an H.265 channel streams H.265 (960×540)', async () => {
    const s = await setup('udp');
    close = s.close;
    const collector = new RtpCollector();
    const socket = await udpReceiver(collector);
    s.sockets.push(socket);
    const result = answered(await s.invite(s.device('h265'), 'udp', socket.address().port));
    await waitFor(() => collector.frames.length >= 5, { what: '5 frames', timeoutMs: 8_000 });
    expect(collector.frames[0]!.au).toMatchObject({
      codec: 'h265',
      keyframe: true,
      track: { width: 960, height: 540 },
    });
    expect(collector.frames.every((f) => f.au.codec === 'h265')).toBe(true);
    await s.bus.request('gateway.bye', { callId: result.callId }, DEADLINE);
  });

  it('the device hangs up (its BYE): gateway.call-ended(device-bye), and its ffmpeg is gone', async () => {
    const s = await setup('udp');
    close = s.close;
    const collector = new RtpCollector();
    const socket = await udpReceiver(collector);
    s.sockets.push(socket);
    const device = s.device('h264');
    const streaming = started(s);
    const result = answered(await s.invite(device, 'udp', socket.address().port));
    const { pid } = await streaming;
    const stopped = ended(s);
    expect(await s.simulator.hangUp(device.channels[0]!.channelId)).toBe(1);
    expect((await stopped)[1]).toBe('hang-up');
    expect(processGone(pid!)).toBe(true);
    const event = await waitFor(() => s.ended[0], { what: 'gateway.call-ended' });
    expect(event).toMatchObject({ callId: result.callId, sessionId: 'session-udp', reason: 'device-bye' });
    expect(s.gateway.calls.size).toBe(0);
  });

  it('one channel serves two INVITEs at once, each with its own encoder and SSRC', async () => {
    const s = await setup('udp');
    close = s.close;
    const device = s.device('h264');
    const [a, b] = [new RtpCollector(), new RtpCollector()];
    const socketA = await udpReceiver(a);
    const socketB = await udpReceiver(b);
    s.sockets.push(socketA, socketB);
    const first = answered(await s.invite(device, 'udp', socketA.address().port, '0430100011'));
    const second = answered(await s.invite(device, 'udp', socketB.address().port, '0430100012'));
    await waitFor(() => a.frames.length >= 3 && b.frames.length >= 3, { what: 'both streams' });
    const sessions = s.simulator.media.sessions(device.channels[0]!.channelId);
    expect(sessions).toHaveLength(2);
    expect(new Set(sessions.map((i) => i.pid)).size).toBe(2);
    expect(a.packets[0]!.ssrc).toBe(430100011);
    expect(b.packets[0]!.ssrc).toBe(430100012);
    const stopped = ended(s);
    await s.bus.request('gateway.bye', { callId: first.callId }, DEADLINE);
    expect((await stopped)[0].callId).toBe(first.callId);
    expect(s.simulator.media.sessions(device.channels[0]!.channelId).map((i) => i.callId)).toEqual([
      second.callId,
    ]);
    expect(b.packets.length).toBeGreaterThan(0);
  });

  it('the platform drops the TCP connection: the device stops, says BYE, and the call ends (device-bye)', async () => {
    const s = await setup('udp');
    close = s.close;
    const result = answered(await s.invite(s.device('h264'), 'tcp-active', 40000));
    const collector = new RtpCollector();
    const socket = connect(result.devicePort!, result.deviceHost!);
    collectTcp(socket, collector);
    await waitFor(() => collector.frames.length >= 2, { what: 'frames' });
    const stopped = ended(s);
    socket.destroy();
    const [info, reason] = await stopped;
    expect(reason).toBe('peer-closed');
    expect(processGone(info.pid!)).toBe(true);
    const event = await waitFor(() => s.ended[0], { what: 'gateway.call-ended' });
    expect(event).toMatchObject({ callId: result.callId, reason: 'device-bye' });
  });

  it('a device that unregisters: gateway.call-ended(device-offline), and the BYE still stops its stream', async () => {
    const s = await setup('udp');
    close = s.close;
    const collector = new RtpCollector();
    const socket = await udpReceiver(collector);
    s.sockets.push(socket);
    const device = s.device('h264');
    const streaming = started(s);
    const result = answered(await s.invite(device, 'udp', socket.address().port));
    await streaming;
    const stopped = ended(s);
    await s.simulator.unregister(device.deviceId);
    const event = await waitFor(() => s.ended[0], { what: 'gateway.call-ended' });
    expect(event).toMatchObject({ callId: result.callId, reason: 'device-offline' });
    expect((await stopped)[1]).toBe('bye');
  });

  it('stopping the simulator stops every stream and its encoder', async () => {
    const s = await setup('udp');
    close = s.close;
    const socket = await udpReceiver(new RtpCollector());
    s.sockets.push(socket);
    const streaming = started(s);
    answered(await s.invite(s.device('h264'), 'udp', socket.address().port));
    const { pid } = await streaming;
    const stopped = ended(s);
    await s.simulator.stop();
    expect((await stopped)[1]).toBe('stopped');
    expect(processGone(pid!)).toBe(true);
    expect(s.simulator.media.sessions()).toEqual([]);
  });

  it('a silenced channel answers the INVITE but never starts an encoder or sends a packet', async () => {
    const s = await setup('udp');
    close = s.close;
    const collector = new RtpCollector();
    const socket = await udpReceiver(collector);
    s.sockets.push(socket);
    const device = s.device('h264');
    const channelId = device.channels[0]!.channelId;
    s.simulator.silenceMedia(channelId);
    const result = answered(await s.invite(device, 'udp', socket.address().port));
    // ACKed (started) is the moment a camera would begin to send; a silenced one never gets further.
    const session = await waitFor(
      () => s.simulator.media.sessions(channelId).find((i) => i.state === 'started'),
      {
        what: 'the ACK to reach the device',
      },
    );
    expect(session).toMatchObject({ silent: true, pid: undefined, stats: undefined });
    expect(collector.packets).toHaveLength(0);
    await s.bus.request('gateway.bye', { callId: result.callId }, DEADLINE);
    expect(s.simulator.media.sessions(channelId)).toEqual([]);
  });
});
