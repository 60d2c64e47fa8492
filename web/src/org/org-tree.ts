import type { ChannelSummary, DeviceId, DeviceSummary, OnlineStatus } from '../api/types';

export interface DeviceGroup {
  deviceId: DeviceId;
  name: string;
  status: OnlineStatus | 'unknown';
  channels: ChannelSummary[];
}

/** An IPC: one channel with the device's own ID. The tree shows it as a camera, not a device with a camera. */
export function isSingleCamera(group: DeviceGroup): boolean {
  return group.channels.length === 1 && (group.channels[0]!.channelId as string) === group.deviceId;
}

/** The devices of one area's cameras, each with its channels. */
export function groupByDevice(
  channels: readonly ChannelSummary[],
  devices: ReadonlyMap<DeviceId, DeviceSummary>,
): DeviceGroup[] {
  const groups = new Map<DeviceId, DeviceGroup>();
  for (const channel of channels) {
    let group = groups.get(channel.deviceId);
    if (!group) {
      const device = devices.get(channel.deviceId);
      group = {
        deviceId: channel.deviceId,
        name: device?.name ?? channel.deviceId,
        status: device?.status ?? 'unknown',
        channels: [],
      };
      groups.set(channel.deviceId, group);
    }
    group.channels.push(channel);
  }
  // Devices with several cameras (NVRs, lower platforms) first, then the single cameras; each by name.
  const sorted = [...groups.values()].sort(
    (a, b) => Number(isSingleCamera(a)) - Number(isSingleCamera(b)) || a.name.localeCompare(b.name, 'zh-CN'),
  );
  for (const group of sorted) group.channels.sort((a, b) => a.channelId.localeCompare(b.channelId));
  return sorted;
}
