import type { CatalogChange, CatalogItem } from '@tessera/contracts';
import type { SimulatedChannel, SimulatedDevice } from './city';

/** The catalog a simulated device reports: its channels as GB/T 28181 items (notes §1.4). */
export function catalogItems(device: SimulatedDevice, offline: ReadonlySet<string>): CatalogItem[] {
  return device.channels.map((channel) => channelItem(device, channel, offline.has(channel.channelId)));
}

export function channelItem(device: SimulatedDevice, channel: SimulatedChannel, off: boolean): CatalogItem {
  return {
    id: channel.channelId,
    kind: 'channel',
    name: channel.name,
    manufacturer: device.manufacturer,
    model: device.model,
    owner: '0',
    civilCode: channel.civilCode,
    block: null,
    address: channel.address,
    parental: false,
    parentId: device.deviceId,
    businessGroupId: null,
    registerWay: 1,
    secrecy: 0,
    ipAddress: null,
    port: null,
    status: off ? 'offline' : 'online',
    longitude: channel.longitude,
    latitude: channel.latitude,
    ptzType: channel.ptzType,
  };
}

export function statusChange(channelId: string, online: boolean): CatalogChange {
  return { id: channelId, event: online ? 'ON' : 'OFF', item: null };
}
