import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { type Bus, type CatalogEventType, gbDeviceKind, type Unsubscribe } from '@tessera/contracts';
import type { Logger } from '@tessera/kit';
import type { PlatformConfig } from '../config';
import type { DomainEvent, DomainEvents } from '../events/domain-events';
import { DeviceRepository } from '../repositories/device.repository';
import { BUS, DOMAIN_EVENTS, LOGGER, PLATFORM_CONFIG } from '../tokens';
import { CascadeRelayService } from './cascade-relay.service';
import { UpperPlatformService } from './upper-platform.service';

/**
 * The platform's side of the cascade on the bus: answers the gateway (links, shared catalogs, relays), records
 * link states, and turns inventory changes into `inventory.channel-changed` so the gateway can NOTIFY uppers.
 * As an upper platform it re-queries its lower platforms' catalogs now and then, because a missed NOTIFY must
 * not leave the city's view wrong for long.
 */
@Injectable()
export class CascadeBusService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly #unsubscribe: Unsubscribe[] = [];
  #offDomain: (() => void) | undefined;
  #refreshTimer: ReturnType<typeof setInterval> | undefined;

  constructor(
    @Inject(BUS) private readonly bus: Bus,
    @Inject(UpperPlatformService) private readonly uppers: UpperPlatformService,
    @Inject(CascadeRelayService) private readonly relays: CascadeRelayService,
    @Inject(DeviceRepository) private readonly devices: DeviceRepository,
    @Inject(DOMAIN_EVENTS) private readonly events: DomainEvents,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.#unsubscribe.push(
      await this.bus.handle('cascade.uppers', async () => ({ uppers: await this.uppers.links() })),
      await this.bus.handle('cascade.upper-ha1', async ({ upperId, realm, hash }) => ({
        ha1: await this.uppers.upperHa1(upperId, realm, hash ?? 'md5'),
      })),
      await this.bus.handle('cascade.shared-catalog', async ({ upperId }) => ({
        entries: await this.uppers.sharedCatalog(upperId),
      })),
      await this.bus.handle('cascade.relay-open', ({ upperId, callId, channelId, offer }) =>
        this.relays.open(upperId, callId, channelId, offer),
      ),
      await this.bus.handle('cascade.relay-close', async ({ relayId, reason }) => {
        await this.relays.close(relayId, reason);
        return { ok: true as const };
      }),
      await this.bus.subscribe('cascade.link-changed', (event) => this.uppers.recordLink(event), {
        group: 'platform-cascade',
      }),
      await this.bus.subscribe('media.egress-ended', (event) => this.relays.egressEnded(event)),
    );
    this.#offDomain = this.events.on((event) => this.#onDomainEvent(event));
    const everyMs = this.config.lowerCatalogRefreshSec * 1000;
    if (everyMs > 0) {
      this.#refreshTimer = setInterval(() => void this.#refreshLowerCatalogs(), everyMs);
      this.#refreshTimer.unref();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.#refreshTimer) clearInterval(this.#refreshTimer);
    this.#offDomain?.();
    for (const unsubscribe of this.#unsubscribe.splice(0)) await unsubscribe();
  }

  #onDomainEvent(event: DomainEvent): void {
    if (event.type === 'ChannelStatusChanged') {
      const change: CatalogEventType =
        event.status === 'online' ? 'ON' : event.lastEvent === 'VLOST' ? 'VLOST' : 'OFF';
      this.#settle(
        'inventory.channel-changed',
        this.bus.publish('inventory.channel-changed', {
          deviceId: event.deviceId,
          channelId: event.channelId,
          event: change,
          item: null,
          at: event.at,
        }),
      );
    } else if (event.type === 'CatalogUpdated') {
      // Channels came or went: what each upper sees may have changed.
      this.#settle(
        'cascade.shares-changed',
        this.bus.publish('cascade.shares-changed', { upperId: null, at: event.at }),
      );
    }
  }

  #settle(topic: string, published: Promise<void>): void {
    published.catch((error: unknown) => this.logger.warn({ err: error, topic }, 'cascade publish failed'));
  }

  async #refreshLowerCatalogs(): Promise<void> {
    try {
      const lowers = (await this.devices.onlineIds()).filter((id) => gbDeviceKind(id) === 'platform');
      for (const deviceId of lowers) {
        await this.bus
          .request(
            'gateway.catalog-query',
            { deviceId },
            { timeoutMs: this.config.catalogQueryTimeoutMs + 5_000 },
          )
          .catch((error: unknown) =>
            this.logger.info({ err: error, deviceId }, 'lower platform catalog re-query failed'),
          );
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'lower platform catalog refresh failed');
    }
  }
}
