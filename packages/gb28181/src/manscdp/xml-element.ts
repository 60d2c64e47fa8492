/**
 * A neutral XML element tree: names as sent, attribute values and text trimmed. Lookups compare names
 * case-insensitively, because devices write both `<Info>` and `<info>` (notes §1.9).
 */
export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** This element's own text nodes, trimmed and joined ('' when there are none). */
  readonly text: string;
}

export function xmlElement(
  name: string,
  children: readonly XmlElement[] = [],
  attributes: Readonly<Record<string, string>> = {},
): XmlElement {
  return { name, attributes, children, text: '' };
}

export function xmlLeaf(name: string, text: string): XmlElement {
  return { name, attributes: {}, children: [], text };
}

export function sameName(a: string, b: string): boolean {
  return a.length === b.length && a.toLowerCase() === b.toLowerCase();
}

export function findChild(parent: XmlElement, name: string): XmlElement | undefined {
  return parent.children.find((c) => sameName(c.name, name));
}

export function findChildren(parent: XmlElement, name: string): XmlElement[] {
  return parent.children.filter((c) => sameName(c.name, name));
}

/** Text of the first child called `name`; null when there is no such child. */
export function childText(parent: XmlElement, name: string): string | null {
  return findChild(parent, name)?.text ?? null;
}

export function attributeOf(element: XmlElement, name: string): string | null {
  for (const [key, value] of Object.entries(element.attributes)) if (sameName(key, name)) return value;
  return null;
}
