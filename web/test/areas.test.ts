import { describe, expect, it } from 'vitest';
import type { CivilAreaNode, CivilCode } from '../src/api/types';
import { AreaDirectory, districtCodeOf, loadDistrictNodes } from '../src/state/areas';

const node = (code: string, name: string, level: number): CivilAreaNode => ({
  code: code as CivilCode,
  name,
  parentCode: null,
  level,
  childCount: 1,
  channelCount: 0,
  onlineCount: 0,
});

describe('areas', () => {
  it('takes the district from a civil code', () => {
    expect(districtCodeOf('430102001')).toBe('430102');
    expect(districtCodeOf('430102')).toBe('430102');
    expect(districtCodeOf('4301')).toBeNull();
    expect(districtCodeOf(null)).toBeNull();
  });

  it('walks down from the top of the jurisdiction to the districts', async () => {
    const tree: Record<string, CivilAreaNode[]> = {
      '': [node('43', '湖南省', 1)],
      '43': [node('4301', '长沙市', 2)],
      '4301': [node('430102', '芙蓉区', 3), node('430103', '天心区', 3)],
    };
    const asked: string[] = [];
    const districts = await loadDistrictNodes(async (parent) => {
      asked.push(parent ?? '');
      return tree[parent ?? ''] ?? null;
    });
    expect(districts.map((d) => d.name)).toEqual(['芙蓉区', '天心区']);
    expect(asked).toEqual(['', '43', '4301']);
    expect(await loadDistrictNodes(async () => [node('430102', '芙蓉区', 3)])).toHaveLength(1);
  });

  it('names known areas and falls back otherwise', () => {
    const directory = new AreaDirectory();
    directory.add([node('430102', '芙蓉区', 3)]);
    expect(directory.nameOf('430102', '?')).toBe('芙蓉区');
    expect(directory.nameOf('430103', '430103')).toBe('430103');
    expect(directory.nameOf(null, '未划分区县')).toBe('未划分区县');
  });
});
