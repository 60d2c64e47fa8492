import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Bus, DevicePolicy, Unsubscribe } from '@tessera/contracts';
import { DeviceRepository } from '../repositories/device.repository';
import { BUS } from '../tokens';

/** Answers the gateway's `inventory.device-policy` command from the device table. */
@Injectable()
export class DevicePolicyService implements OnApplicationBootstrap, OnApplicationShutdown {
  #unsubscribe: Unsubscribe | null = null;

  constructor(
    @Inject(BUS) private readonly bus: Bus,
    @Inject(DeviceRepository) private readonly devices: DeviceRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.#unsubscribe = await this.bus.handle('inventory.device-policy', ({ deviceId }) =>
      this.policy(deviceId),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    const unsubscribe = this.#unsubscribe;
    this.#unsubscribe = null;
    await unsubscribe?.();
  }

  /** Unknown devices: `known: false` (whitelist mode refuses them), everything else default. */
  async policy(deviceId: string): Promise<DevicePolicy> {
    const device = await this.devices.get(deviceId);
    if (!device) {
      return {
        known: false,
        digest: null,
        charset: null,
        keepaliveIntervalSec: null,
        keepaliveCount: null,
        enabled: true,
      };
    }
    return {
      known: true,
      // HA1 and its realm, never the clear password (not stored): the gateway verifies the digest from HA1.
      digest:
        device.password_ha1 !== null && device.password_realm !== null
          ? { ha1: device.password_ha1, ha1Sm3: device.password_ha1_sm3, realm: device.password_realm }
          : null,
      charset: device.charset,
      keepaliveIntervalSec: device.keepalive_interval_sec,
      keepaliveCount: device.keepalive_count,
      enabled: device.enabled,
    };
  }
}
