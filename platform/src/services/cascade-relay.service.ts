import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Bus, EgressEnded, RelayOffer, RelayOpenResult } from '@tessera/contracts';
import { type Logger, TesseraError, TimeoutError } from '@tessera/kit';
import { ConflictError, NotFoundError, UpstreamTimeoutError } from '../errors';
import { BUS, LOGGER } from '../tokens';
import { type AcquiredStream, PlayService } from './play.service';
import { UpperPlatformService } from './upper-platform.service';

const CONTROL_TIMEOUT_MS = 5_000;

interface Relay {
  relayId: string;
  upperId: string;
  callId: string;
  channelId: string;
  ingestId: string;
  /** The media server owning the stream, where its egress lives. */
  node: string;
  openedAt: number;
}

/**
 * An upper platform watching one of our channels: the channel's live stream (a reader of purpose `relay`, started
 * or joined, so one INVITE to the camera however many tiers and viewers) and an egress on the media server owning
 * it sending PS over RTP to the upper. The egress is a reader of the stream, so the upstream lives exactly as long
 * as someone needs it.
 */
@Injectable()
export class CascadeRelayService implements OnModuleDestroy {
  readonly #relays = new Map<string, Relay>();

  constructor(
    @Inject(PlayService) private readonly play: PlayService,
    @Inject(UpperPlatformService) private readonly uppers: UpperPlatformService,
    @Inject(BUS) private readonly bus: Bus,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  get size(): number {
    return this.#relays.size;
  }

  async open(upperId: string, callId: string, shownId: string, offer: RelayOffer): Promise<RelayOpenResult> {
    const local = await this.uppers.resolveShared(upperId, shownId);
    if (!local)
      return { ok: false, status: 404, reason: `channel ${shownId} is not shared with this platform` };
    let live: AcquiredStream;
    try {
      live = await this.play.acquire(local.channelId);
    } catch (error) {
      return { ok: false, ...refusal(error) };
    }
    const relayId = randomUUID();
    try {
      const egress = await this.bus.request(
        'media.open-egress',
        { egressId: relayId, ingestId: live.ingestId, ...offer },
        { node: live.node, timeoutMs: CONTROL_TIMEOUT_MS },
      );
      this.#relays.set(relayId, {
        relayId,
        upperId,
        callId,
        channelId: local.channelId,
        ingestId: live.ingestId,
        node: live.node,
        openedAt: Date.now(),
      });
      this.logger.info(
        { relayId, upperId, callId, channelId: local.channelId, transport: offer.transport, to: offer },
        'relay to upper platform opened',
      );
      return { ok: true, relayId, host: egress.host, port: egress.port, ssrc: offer.ssrc };
    } catch (error) {
      this.logger.warn({ err: error, upperId, channelId: local.channelId }, 'opening the egress failed');
      return { ok: false, ...refusal(error) };
    }
  }

  async close(relayId: string, reason: string): Promise<void> {
    const relay = this.#relays.get(relayId);
    this.#relays.delete(relayId);
    if (!relay) return;
    this.logger.info({ relayId, reason, ms: Date.now() - relay.openedAt }, 'relay to upper platform closed');
    await this.bus.request(
      'media.close-egress',
      { egressId: relayId, reason },
      { node: relay.node, timeoutMs: CONTROL_TIMEOUT_MS },
    );
  }

  /** The media side ended (stream gone, upper's TCP closed): the gateway must hang up the upper. */
  async egressEnded(event: EgressEnded): Promise<void> {
    const relay = this.#relays.get(event.egressId);
    if (!relay) return;
    this.#relays.delete(event.egressId);
    await this.bus.publish('cascade.relay-ended', {
      relayId: relay.relayId,
      reason: `media ${event.reason}`,
      at: new Date().toISOString(),
    });
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.allSettled([...this.#relays.keys()].map((id) => this.close(id, 'platform stopping')));
  }
}

/** A failed start as the SIP status the upper is answered with. */
function refusal(error: unknown): { status: number; reason: string } {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof NotFoundError) return { status: 404, reason: message };
  if (error instanceof ConflictError) return { status: 480, reason: message };
  if (error instanceof UpstreamTimeoutError || error instanceof TimeoutError)
    return { status: 504, reason: message };
  if (error instanceof TesseraError && error.code === 'timeout') return { status: 504, reason: message };
  return { status: 502, reason: message };
}
