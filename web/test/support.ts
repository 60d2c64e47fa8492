import type {
  ChannelId,
  ChannelSummary,
  CivilCode,
  DeviceId,
  DeviceSummary,
  LiveEvent,
} from '../src/api/types';
import { CameraStore } from '../src/state/camera-store';

export const deviceId = (s: string) => s as DeviceId;
export const channelId = (s: string) => s as ChannelId;

export function device(
  id: string,
  status: 'online' | 'offline',
  lastKeepaliveAt: string | null = null,
): DeviceSummary {
  return {
    deviceId: deviceId(id),
    name: `设备${id.slice(-3)}`,
    manufacturer: 'Tessera',
    model: 'TS-NVR-16',
    status,
    transport: 'udp',
    remoteAddress: '127.0.0.1:5060',
    registeredAt: '2025-01-01T00:00:00.000Z',
    lastKeepaliveAt,
    channelCount: 1,
  };
}

export function channel(
  id: string,
  device: string,
  status: 'online' | 'offline',
  civil = '430102001',
): ChannelSummary {
  return {
    channelId: channelId(id),
    deviceId: deviceId(device),
    name: `芙蓉路口${id.slice(-3)}`,
    civilCode: civil as CivilCode,
    address: `长沙市芙蓉区${id.slice(-3)}号`,
    longitude: 112.98,
    latitude: 28.19,
    status,
    ptzType: 3,
  };
}

/** A store whose flushes happen only when the test calls flush(). */
export function manualStore(channels: ChannelSummary[], devices: DeviceSummary[]): CameraStore {
  return new CameraStore({ channels, devices }, { schedule: () => () => undefined });
}

export function channelEvent(id: string, dev: string, status: 'online' | 'offline', at: string): LiveEvent {
  return {
    type: 'channel.status',
    data: { channelId: channelId(id), deviceId: deviceId(dev), status, lastEvent: null, at },
  };
}

export function deviceEvent(dev: string, status: 'online' | 'offline', at: string): LiveEvent {
  return { type: 'device.status', data: { deviceId: deviceId(dev), status, reason: null, at } };
}

/** The events of a maplibre map, for the fakes of the map's helpers: `fire` plays the map. */
export class FakeMapEvents {
  readonly listeners = new Map<string, Set<() => void>>();
  on(type: string, listener: () => void): void {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type)!.add(listener);
  }
  off(type: string, listener: () => void): void {
    this.listeners.get(type)?.delete(listener);
  }
  fire(type: string): void {
    for (const listener of [...(this.listeners.get(type) ?? [])]) listener();
  }
}
