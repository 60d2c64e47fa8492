import { childText, type XmlElement, xmlLeaf } from './xml-element';

/** Readers for MANSCDP leaves: text is already trimmed; empty means absent. */

export function optionalText(parent: XmlElement, name: string): string | null {
  const text = childText(parent, name);
  return text === null || text === '' ? null : text;
}

export function optionalInt(parent: XmlElement, name: string): number | null {
  return parseIntOrNull(childText(parent, name));
}

export function parseIntOrNull(text: string | null): number | null {
  if (text === null || !/^[+-]?\d{1,15}$/.test(text.trim())) return null;
  return Number.parseInt(text.trim(), 10);
}

export function optionalFloat(parent: XmlElement, name: string): number | null {
  const text = childText(parent, name);
  if (text === null || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

/** Leaves for the values that are present, in order; null and undefined values are left out. */
export function leaves(
  entries: ReadonlyArray<readonly [string, string | number | null | undefined]>,
): XmlElement[] {
  const out: XmlElement[] = [];
  for (const [name, value] of entries)
    if (value !== null && value !== undefined) out.push(xmlLeaf(name, String(value)));
  return out;
}
