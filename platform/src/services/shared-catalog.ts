import { type CatalogItem, gbTypeCode, type SharedEntry } from '@tessera/contracts';
import type { GroupNodeRow, SharedChannelRow } from '../repositories/upper-platform.repository';
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

const isGroupId = (id: string): boolean => /^\d{20}$/.test(id) && ['215', '216'].includes(gbTypeCode(id));

/**
 * The business groups (215) and virtual organisations (216) an item hangs under: its BusinessGroupID and the
 * group IDs in its ParentID, which platforms write as one ID or as a path (`platform/215…/216…`, notes §1.4).
 */
export function groupRefs(item: { parent_id: string | null; business_group_id: string | null }): string[] {
  const refs = (item.parent_id ?? '').split('/').filter(isGroupId);
  if (item.business_group_id && isGroupId(item.business_group_id)) refs.push(item.business_group_id);
  return [...new Set(refs)];
}

/** The nearest group of a ParentID path that the upper is given, if any. */
function nearestGroup(parentId: string | null, included: ReadonlySet<string>): string | null {
  const path = (parentId ?? '').split('/');
  for (let i = path.length - 1; i >= 0; i--) if (included.has(path[i]!)) return path[i]!;
  return null;
}

/**
 * What one upper platform sees: the civil-area nodes that form the tree (only those the city's table knows, so
 * the upper is not handed invented names), then the shared cameras with the upper's remapped ID and name.
 * A camera's ParentID is its civil area, so the upper can hang it in its own tree without our devices.
 */
export function buildSharedCatalog(
  rows: readonly SharedChannelRow[],
  areaNames: ReadonlyMap<string, string>,
  remap: ChannelRemap,
  groups: readonly GroupNodeRow[] = [],
): SharedEntry[] {
  const entries: SharedEntry[] = [];
  const included = new Set(groups.map((g) => g.channel_id));
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
  // Groups a lower platform reported keep the tree its operators know (e.g. 分局 → 派出所) above the cameras.
  for (const group of groups) {
    entries.push({
      item: {
        ...emptyItem,
        id: group.channel_id,
        kind: group.kind === 'business-group' ? 'business-group' : 'virtual-org',
        name: group.name,
        civilCode: null,
        parental: true,
        parentId: nearestGroup(group.parent_id, included),
        businessGroupId:
          group.business_group_id && included.has(group.business_group_id) ? group.business_group_id : null,
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
        parentId: nearestGroup(row.parent_id, included) ?? row.civil_code,
        businessGroupId:
          row.business_group_id && included.has(row.business_group_id) ? row.business_group_id : null,
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
