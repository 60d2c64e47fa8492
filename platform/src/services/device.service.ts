import { Inject, Injectable } from '@nestjs/common';
import type { Bus } from '@tessera/contracts';
import { TesseraError, TimeoutError } from '@tessera/kit';
import { requireRole } from '../access';
import type { AuthContext } from '../auth/auth-context';
import type { PlatformConfig } from '../config';
import type {
  CatalogRefreshResponse,
  CreateDeviceBody,
  DeviceDetail,
  DeviceSummary,
  UpdateDeviceBody,
} from '@tessera/contracts/api';
import { ConflictError, ForbiddenError, NotFoundError, UpstreamError, UpstreamTimeoutError } from '../errors';
import { DeviceRepository, type DeviceWithCount } from '../repositories/device.repository';
import type { DeviceUpdate } from '../schema/tables';
import { deviceDigest, sipRealmOf } from '../secrets/device-digest';
import { BUS, PLATFORM_CONFIG } from '../tokens';
import { toDeviceDetail, toDeviceSummary } from './mappers';

/** `realm`: the gateway's SIP realm, for which a given password becomes HA1 (the clear text is not kept). */
const settingsOf = (deviceId: string, body: UpdateDeviceBody, realm: string): DeviceUpdate => {
  const patch: DeviceUpdate = {};
  if (body.name !== undefined) patch.name = body.name;
  if (body.password !== undefined) {
    Object.assign(
      patch,
      body.password === null
        ? { password_ha1: null, password_ha1_sm3: null, password_realm: null }
        : deviceDigest(deviceId, realm, body.password),
    );
  }
  if (body.charset !== undefined) patch.charset = body.charset;
  if (body.enabled !== undefined) patch.enabled = body.enabled;
  if (body.keepaliveIntervalSec !== undefined) patch.keepalive_interval_sec = body.keepaliveIntervalSec;
  if (body.keepaliveCount !== undefined) patch.keepalive_count = body.keepaliveCount;
  return patch;
};

@Injectable()
export class DeviceService {
  constructor(
    @Inject(DeviceRepository) private readonly devices: DeviceRepository,
    @Inject(BUS) private readonly bus: Bus,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
  ) {}

  async list(auth: AuthContext): Promise<DeviceSummary[]> {
    return (await this.devices.list(auth.jurisdiction)).map(toDeviceSummary);
  }

  async get(auth: AuthContext, deviceId: string): Promise<DeviceDetail> {
    return toDeviceDetail(await this.requireVisible(auth, deviceId));
  }

  /**
   * Pre-provisioning (whitelist mode, per-device password). A device has no civil code until its catalog
   * arrives, so only a city-wide admin may add one.
   */
  async create(auth: AuthContext, body: CreateDeviceBody): Promise<DeviceDetail> {
    requireRole(auth, 'admin');
    if (auth.jurisdiction.kind !== 'all') {
      throw new ForbiddenError('only a city-wide admin can provision devices');
    }
    const device = await this.devices.insert({
      device_id: body.deviceId,
      ...settingsOf(body.deviceId, body, sipRealmOf(this.config.sipId)),
    });
    if (!device) throw new ConflictError(`device ${body.deviceId} already exists`);
    return toDeviceDetail({ ...device, channel_count: 0 });
  }

  async update(auth: AuthContext, deviceId: string, body: UpdateDeviceBody): Promise<DeviceDetail> {
    requireRole(auth, 'admin');
    await this.requireVisible(auth, deviceId);
    await this.devices.update(deviceId, settingsOf(deviceId, body, sipRealmOf(this.config.sipId)));
    const device = await this.get(auth, deviceId);
    // The gateway applies a new keepalive interval/count to the live device at once, not at its next REGISTER.
    await this.bus.publish('inventory.device-policy-changed', {
      deviceId,
      keepaliveIntervalSec: device.keepaliveIntervalSec,
      keepaliveCount: device.keepaliveCount,
      at: new Date().toISOString(),
    });
    return device;
  }

  /** Asks the gateway for the device's catalog; the items arrive as a `catalog.received` event. */
  async refreshCatalog(auth: AuthContext, deviceId: string): Promise<CatalogRefreshResponse> {
    requireRole(auth, 'admin', 'operator');
    const device = await this.requireVisible(auth, deviceId);
    if (device.status !== 'online') throw new ConflictError(`device ${deviceId} is offline`);
    const timeoutMs = this.config.catalogQueryTimeoutMs;
    try {
      return await this.bus.request('gateway.catalog-query', { deviceId }, { timeoutMs });
    } catch (err) {
      if (err instanceof TimeoutError) {
        throw new UpstreamTimeoutError(`catalog query for ${deviceId} got no answer within ${timeoutMs} ms`, {
          cause: err,
        });
      }
      const reason = err instanceof TesseraError ? `${err.code}: ${err.message}` : String(err);
      throw new UpstreamError(`catalog query for ${deviceId} failed (${reason})`, { cause: err });
    }
  }

  /** 404 for an unknown device, 403 for one outside the caller's jurisdiction. */
  private async requireVisible(auth: AuthContext, deviceId: string): Promise<DeviceWithCount> {
    const [device] = await this.devices.list(auth.jurisdiction, deviceId);
    if (device) return device;
    if (await this.devices.get(deviceId)) {
      throw new ForbiddenError(`device ${deviceId} is outside ${auth.username}'s jurisdiction`);
    }
    throw new NotFoundError('device', deviceId);
  }
}
