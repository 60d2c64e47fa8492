import type { Bus, DevicePolicy } from '@tessera/contracts';
import type { Clock, Logger } from '@tessera/kit';

export interface DevicePolicySourceOptions {
  bus: Bus;
  clock: Clock;
  logger: Logger;
  /** Deadline of one lookup. */
  timeoutMs?: number;
  /** How long an answer is reused (a registration storm asks once per device, not per REGISTER). */
  cacheMs?: number;
}

export type PolicyLookup = { ok: true; policy: DevicePolicy } | { ok: false; reason: 'unavailable' };

/**
 * The inventory's word on a device (per-device password, charset, keepalive, whitelist), asked over the bus with a
 * deadline and cached briefly. Unavailable is a distinct answer: in whitelist mode we must not admit on a guess.
 */
export class DevicePolicySource {
  readonly #opts: DevicePolicySourceOptions;
  readonly #cache = new Map<string, { policy: DevicePolicy; at: number }>();

  constructor(options: DevicePolicySourceOptions) {
    this.#opts = options;
  }

  async lookup(deviceId: string): Promise<PolicyLookup> {
    const now = this.#opts.clock.now();
    const cached = this.#cache.get(deviceId);
    if (cached && now - cached.at < (this.#opts.cacheMs ?? 10_000))
      return { ok: true, policy: cached.policy };
    try {
      const policy = await this.#opts.bus.request(
        'inventory.device-policy',
        { deviceId },
        { timeoutMs: this.#opts.timeoutMs ?? 2_000 },
      );
      // Only provisioned devices are cached: a device added to the whitelist must be admitted at its next try.
      if (policy.known) this.#cache.set(deviceId, { policy, at: now });
      if (this.#cache.size > 200_000) this.#cache.clear();
      return { ok: true, policy };
    } catch (error) {
      this.#opts.logger.warn({ err: error, deviceId }, 'device policy unavailable');
      return { ok: false, reason: 'unavailable' };
    }
  }

  /** Forget a device's cached policy (its password or whitelist entry changed). */
  invalidate(deviceId: string): void {
    this.#cache.delete(deviceId);
  }
}
