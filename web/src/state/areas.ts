import type { CivilAreaNode, CivilCode, CurrentUser } from '../api/types';

/** GB/T 2260: the district (区/县) is the first 6 digits of a civil code. */
export function districtCodeOf(civilCode: string | null): string | null {
  return civilCode && civilCode.length >= 6 ? civilCode.slice(0, 6) : null;
}

/** Names of the areas the console has loaded (districts and streets), by civil code. */
export class AreaDirectory {
  readonly #names = new Map<string, string>();

  add(nodes: readonly CivilAreaNode[]): void {
    for (const node of nodes) this.#names.set(node.code, node.name);
  }

  nameOf(code: string | null, fallback: string): string {
    return (code && this.#names.get(code)) || fallback;
  }

  has(code: string): boolean {
    return this.#names.has(code);
  }
}

/**
 * Loads the districts of the caller's jurisdiction: from the top of the tree, go down until the nodes are
 * districts (level 3). A district operator's top node is already a district.
 */
export async function loadDistrictNodes(
  children: (parent?: CivilCode) => Promise<CivilAreaNode[] | null>,
): Promise<CivilAreaNode[]> {
  let nodes = (await children()) ?? [];
  for (let depth = 0; depth < 3 && nodes.some((n) => n.level < 3); depth++) {
    const next: CivilAreaNode[] = [];
    for (const node of nodes) {
      if (node.level >= 3) next.push(node);
      else next.push(...((await children(node.code)) ?? []));
    }
    nodes = next;
  }
  return nodes.filter((n) => n.level === 3);
}

/**
 * `/civil-areas` without a parent answers the roots of the tree for a city-wide user and the user's own area
 * otherwise: the user is city-wide when their area is one of those nodes and a root (no parent).
 */
export function isCityWide(me: Pick<CurrentUser, 'civilCode'>, topNodes: readonly CivilAreaNode[]): boolean {
  return topNodes.some((node) => node.code === me.civilCode && node.parentCode === null);
}
