import type { CatalogItem, SharedEntry } from '@tessera/contracts';
import type { SharedChannelRow } from '../repositories/upper-platform.repository';
import type { ChannelRemap } from '../schema/tables';

/** GB/T 2260 code lengths of the tree levels (province, city, district, street/township, village). */
const CIVIL_LEVELS = [2, 4, 6, 9, 12];

/** The civil-area codes above (and including) a code, shortest first. */
export function civilAncestors(code: string): string[] {
  return CIVIL_LEVELS.filter((n) => n <= code.length).map((n) => code.slice(0, n));
}

/** Every civil node a set of shared cameras hangs under. */
export function civilNodeCodes(rows: readonly SharedChannelRow[]): string[] {
  const codes = new Set<string>();
  for (const row of rows) {
    if (row.civil_code) for (const code of civilAncestors(row.civil_code)) codes.add(code);
  }
  return [...codes].sort();
}

const emptyItem = {
  manufacturer: null,
  model: null,
  owner: null,
  block: null,
  address: null,
  businessGroupId: null,
  registerWay: null,
  secrecy: null,
  ipAddress: null,
  port: null,
  longitude: null,
  latitude: null,
  ptzType: null,
} satisfies Partial<CatalogItem>;

/**
 * What one upper platform sees: the civil-area nodes that form the tree (only those the city's table knows, so
 * the upper is not handed invented names), then the shared cameras with the upper's remapped ID and name.
 * A camera's ParentID is its civil area, so the upper can hang it in its own tree without our devices.
 */
export function buildSharedCatalog(
  rows: readonly SharedChannelRow[],
  areaNames: ReadonlyMap<string, string>,
  remap: ChannelRemap,
): SharedEntry[] {
  const entries: SharedEntry[] = [];
  for (const code of civilNodeCodes(rows)) {
    const name = areaNames.get(code);
    if (name === undefined) continue;
    const parent = civilAncestors(code).at(-2) ?? null;
    entries.push({
      item: {
        ...emptyItem,
        id: code,
        kind: 'civil',
        name,
        civilCode: code,
        parental: true,
        parentId: parent !== null && areaNames.has(parent) ? parent : null,
        status: 'online',
      },
      local: null,
    });
  }
  for (const row of rows) {
    const shown = remap[row.channel_id] ?? {};
    entries.push({
      item: {
        ...emptyItem,
        id: shown.id ?? row.channel_id,
        kind: 'channel',
        name: shown.name ?? row.name,
        manufacturer: row.manufacturer,
        model: row.model,
        owner: row.owner,
        civilCode: row.civil_code,
        block: row.block,
        address: row.address,
        parental: false,
        parentId: row.civil_code,
        secrecy: row.secrecy,
        longitude: row.longitude,
        latitude: row.latitude,
        ptzType: row.ptz_type,
        status: row.status,
      },
      local: { deviceId: row.device_id, channelId: row.channel_id },
    });
  }
  return entries;
}
