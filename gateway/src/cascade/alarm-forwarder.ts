import type { SharedEntry } from '@tessera/contracts';
import type { Logger } from '@tessera/kit';
import { type AlarmNotify, encodeManscdp } from '@tessera/gb28181';
import type { SharedCatalogs } from './shared-catalogs';
import type { UpperLinks } from './upper-links';
import type { UpperRequests } from './upper-requests';

export interface AlarmForwarderOptions {
  links: UpperLinks;
  catalogs: SharedCatalogs;
  requests: UpperRequests;
  logger: Logger;
  onForwarded?: (result: 'sent' | 'refused' | 'failed') => void;
}

/**
 * A device's alarm, passed up to every registered upper that shares the alarming channel, as a MESSAGE
 * `<Notify><CmdType>Alarm</CmdType>` under the upper's ID and with our own SN (wvp forwards alarms only when the
 * upper subscribed, and only some; GB/T 28181 §9.4 has the lower platform report them). The device itself is
 * answered by the manscdp inbox as before; this runs beside it and never delays it.
 */
export class AlarmForwarder {
  readonly #o: AlarmForwarderOptions;

  constructor(options: AlarmForwarderOptions) {
    this.#o = options;
  }

  async forward(fromDevice: string, alarm: AlarmNotify): Promise<void> {
    const local = { deviceId: fromDevice, channelId: alarm.deviceId };
    const registered = this.#o.links.all().filter((link) => link.state === 'registered');
    await Promise.all(
      registered.map(async (link) => {
        let entries: SharedEntry[];
        try {
          entries = (await this.#o.catalogs.get(link.id)).byLocal(local);
        } catch (error) {
          this.#o.logger.warn(
            { err: error, upper: link.id },
            'shared catalog unavailable: alarm not forwarded',
          );
          return;
        }
        for (const entry of entries) {
          const body = encodeManscdp(
            { ...alarm, sn: this.#o.requests.nextSn(), deviceId: entry.item.id },
            { charset: link.config.charset },
          );
          try {
            const response = await this.#o.requests.message(link, body);
            this.#o.onForwarded?.(response.status < 300 ? 'sent' : 'refused');
          } catch (error) {
            this.#o.onForwarded?.('failed');
            this.#o.logger.info({ err: error, upper: link.id }, 'alarm not delivered to upper');
          }
        }
      }),
    );
  }
}
