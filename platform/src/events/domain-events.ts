import type { OfflineReason, SipTransport } from '@tessera/contracts';
import type { Logger } from '@tessera/kit';
import type { OnlineStatus } from '../schema/tables';

/** Domain events the inventory emits after each committed ingest write (in-process only). */
export interface DeviceOnlineEvent {
  type: 'DeviceOnline';
  deviceId: string;
  transport: SipTransport | null;
  remoteAddress: string | null;
  at: string;
  /** Distinct civil codes of the device's channels, for jurisdiction filtering downstream. */
  civilCodes: string[];
}

export interface DeviceOfflineEvent {
  type: 'DeviceOffline';
  deviceId: string;
  reason: OfflineReason;
  at: string;
  civilCodes: string[];
}

export interface ChannelStatusChangedEvent {
  type: 'ChannelStatusChanged';
  deviceId: string;
  channelId: string;
  civilCode: string | null;
  /** Effective status: online only if the device is online and the channel reports online. */
  status: OnlineStatus;
  reportedStatus: OnlineStatus;
  lastEvent: string | null;
  at: string;
}

export interface CatalogUpdatedEvent {
  type: 'CatalogUpdated';
  deviceId: string;
  complete: boolean;
  upserted: number;
  removed: number;
  at: string;
  /** Civil codes of the cameras touched (before and after), for jurisdiction filtering. */
  civilCodes: string[];
}

/** A live upstream ended for everyone watching it (device BYE, media timeout, no viewers, stopped). */
export interface LiveSessionEndedEvent {
  type: 'LiveSessionEnded';
  sessionId: string;
  channelId: string;
  civilCode: string | null;
  reason: string;
  at: string;
}

export type DomainEvent =
  | LiveSessionEndedEvent
  | DeviceOnlineEvent
  | DeviceOfflineEvent
  | ChannelStatusChangedEvent
  | CatalogUpdatedEvent;
export type DomainEventListener = (event: DomainEvent) => void;

/** A synchronous in-process event stream; a throwing listener is logged and never stops the others. */
export class DomainEvents {
  readonly #listeners = new Set<DomainEventListener>();

  constructor(private readonly logger: Logger) {}

  on(listener: DomainEventListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  emit(event: DomainEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (err) {
        this.logger.error({ err, event: event.type }, 'domain event listener failed');
      }
    }
  }

  listenerCount(): number {
    return this.#listeners.size;
  }
}
