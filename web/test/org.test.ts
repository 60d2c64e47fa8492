import { describe, expect, it } from 'vitest';
import { searchCameras } from '../src/org/org-search';
import { groupByDevice } from '../src/org/org-tree';
import { channel, device, manualStore } from './support';

const NVR = '43010200001180000001';
const IPC = '43010200001320000002';
const channels = [
  {
    ...channel('43010200001310000011', NVR, 'online'),
    name: '文艺路街道五一大道路口1',
    address: '长沙市芙蓉区文艺路街道五一大道12号',
  },
  { ...channel('43010200001310000012', NVR, 'offline'), name: '文艺路街道芙蓉路公交站2', address: null },
  {
    ...channel(IPC, IPC, 'online'),
    name: '朝阳街街道人民路广场1',
    address: '长沙市芙蓉区朝阳街街道人民路3号',
  },
];
const devices = [
  { ...device(NVR, 'online'), name: '芙蓉区NVR1' },
  { ...device(IPC, 'online'), name: '朝阳街街道人民路广场1' },
];

describe('organisation tree', () => {
  it('groups an area’s cameras by device: devices with several cameras first, then single cameras', () => {
    const store = manualStore(channels, devices);
    const groups = groupByDevice(channels, store.devices);
    expect(groups.map((g) => [g.name, g.status, g.channels.length])).toEqual([
      ['芙蓉区NVR1', 'online', 2],
      ['朝阳街街道人民路广场1', 'online', 1],
    ]);
  });

  it('names an unknown device by its ID', () => {
    expect(groupByDevice(channels.slice(2), new Map())[0]).toMatchObject({ name: IPC, status: 'unknown' });
  });
});

describe('searchCameras', () => {
  const store = manualStore(channels, devices);
  const hits = (q: string) => searchCameras(store, q).indexes;

  it('finds by name, address, channel ID, device ID and device name', () => {
    expect(hits('五一大道')).toEqual([0]);
    expect(hits('人民路3号')).toEqual([2]);
    expect(hits('0012')).toEqual([1]);
    expect(hits(NVR)).toEqual([0, 1]);
    expect(hits('nvr1')).toEqual([0, 1]);
  });

  it('finds nothing for a blank query and caps the hits', () => {
    expect(searchCameras(store, '  ')).toEqual({ indexes: [], total: 0 });
    expect(searchCameras(store, '街道', 1)).toEqual({ indexes: [0], total: 3 });
  });
});
