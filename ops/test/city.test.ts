import { describe, expect, it } from 'vitest';
import { changshaDistricts, planCity, pointInRing } from '../src/simulator/city';

describe('simulated 长沙', () => {
  it('knows the nine districts/counties with their streets and shapes', () => {
    const districts = changshaDistricts();
    expect(districts.map((d) => d.code)).toEqual([
      '430102',
      '430103',
      '430104',
      '430105',
      '430111',
      '430112',
      '430121',
      '430181',
      '430182',
    ]);
    const furong = districts.find((d) => d.code === '430102')!;
    expect(furong.name).toBe('芙蓉区');
    expect(furong.streets.map((s) => s.name)).toContain('文艺路街道');
    expect(furong.rings[0]!.length).toBeGreaterThan(50);
  });

  it('places every channel on a real street of its district, inside the city, with GB/T 28181 IDs', () => {
    const devices = planCity({ devices: 200, seed: 7 });
    expect(devices).toHaveLength(200);
    const districts = changshaDistricts();
    const ids = new Set<string>();
    for (const device of devices) {
      expect(device.deviceId).toMatch(/^4301\d{16}$/);
      expect(['132', '118']).toContain(device.deviceId.substring(10, 13));
      const district = districts.find((d) => d.code === device.civilCode)!;
      for (const channel of device.channels) {
        expect(channel.channelId).toMatch(/^\d{20}$/);
        ids.add(channel.channelId);
        expect(channel.civilCode.startsWith(device.civilCode)).toBe(true);
        expect(district.streets.some((s) => s.code === channel.civilCode)).toBe(true);
        // WGS-84 is a few hundred metres off the GCJ-02 shape; the city box is a fair check.
        expect(channel.longitude).toBeGreaterThan(111.8);
        expect(channel.longitude).toBeLessThan(114.3);
        expect(channel.latitude).toBeGreaterThan(27.8);
        expect(channel.latitude).toBeLessThan(28.7);
      }
    }
    const channelCount = devices.reduce((n, d) => n + d.channels.length, 0);
    expect(ids.size).toBe(channelCount);
    expect(devices.some((d) => d.kind === 'nvr')).toBe(true);
  });

  it('is deterministic for a seed', () => {
    expect(planCity({ devices: 5, seed: 1 })).toEqual(planCity({ devices: 5, seed: 1 }));
  });

  it('pointInRing works on a square', () => {
    const square: [number, number][] = [
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 1],
    ];
    expect(pointInRing(0.5, 0.5, square)).toBe(true);
    expect(pointInRing(1.5, 0.5, square)).toBe(false);
  });
});
