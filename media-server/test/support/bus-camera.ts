import type { Bus, InviteRequest, Unsubscribe } from '@tessera/contracts';
import { GbDevice, type TestVideo, udpSender } from './gb-device';

export interface BusCameraCall {
  readonly callId: string;
  readonly invite: InviteRequest;
  readonly abort: AbortController;
}

/**
 * The gateway and a camera behind it, as the media server meets them on the bus: `gateway.invite` answers 200 and
 * the camera streams real H.264 as PS over RTP (UDP) to the offered address; `gateway.bye` stops it;
 * `gateway.keyframe` is counted. Counts every INVITE, so a test sees how many upstreams a channel got.
 */
export class BusCamera {
  readonly invites: InviteRequest[] = [];
  readonly byes: string[] = [];
  readonly keyframes: string[] = [];
  readonly calls = new Map<string, BusCameraCall>();
  /** Devices answering the INVITE with "not registered" (the gateway never sent it). */
  readonly unregistered = new Set<string>();
  #next = 0;
  #unsubscribe: Unsubscribe[] = [];

  constructor(
    readonly bus: Bus,
    readonly video: TestVideo,
  ) {}

  async start(): Promise<this> {
    this.#unsubscribe = [
      await this.bus.handle('gateway.invite', async (invite) => {
        this.invites.push(invite);
        if (this.unregistered.has(invite.deviceId)) {
          return {
            ok: false as const,
            cause: 'not-registered' as const,
            inviteSent: false,
            status: 480,
            reason: 'Temporarily Unavailable (device not registered; no INVITE sent)',
          };
        }
        const callId = `call-${++this.#next}-${invite.channelId}`;
        const call = { callId, invite, abort: new AbortController() };
        this.calls.set(callId, call);
        void this.#stream(call);
        return {
          ok: true as const,
          callId,
          deviceHost: '127.0.0.1',
          devicePort: 40_000,
          ssrc: null,
          setup: null,
        };
      }),
      await this.bus.handle('gateway.bye', async ({ callId }) => {
        this.byes.push(callId);
        this.calls.get(callId)?.abort.abort();
        this.calls.delete(callId);
        return { ok: true as const };
      }),
      await this.bus.handle('gateway.keyframe', async ({ channelId }) => {
        this.keyframes.push(channelId);
        return { status: 200 };
      }),
    ];
    return this;
  }

  invitesFor(channelId: string): InviteRequest[] {
    return this.invites.filter((i) => i.channelId === channelId);
  }

  async close(): Promise<void> {
    for (const call of this.calls.values()) call.abort.abort();
    for (const unsubscribe of this.#unsubscribe.splice(0)) await unsubscribe();
  }

  async #stream(call: BusCameraCall): Promise<void> {
    const device = new GbDevice({ video: this.video, ssrc: Number(call.invite.ssrc) });
    const sender = await udpSender(call.invite.mediaHost, call.invite.mediaPort);
    try {
      await device.play(sender.send, { signal: call.abort.signal, speed: 1 });
    } finally {
      sender.close();
    }
  }
}
