import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ManscdpParseError } from './errors';
import type { XmlElement } from './xml-element';
import { sanitizeXml } from './xml-sanitize';

/** MANSCDP is three levels deep (Response/DeviceList/Item/Info/…); anything far deeper is hostile. */
export const MAX_XML_DEPTH = 32;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  allowBooleanAttributes: true,
  processEntities: true,
  // Numeric references need this; named HTML entities never get here (the sanitiser escapes them).
  htmlEntities: true,
});

/** Belt and braces to the sanitiser's report: a DTD keyword after `<!` anywhere in the text. */
const DTD_DECLARATION = /<!\s*(?:DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)/i;

const ATTRIBUTES_KEY = ':@';
const TEXT_KEY = '#text';

/**
 * Tolerant text → element tree: sanitise (see xml-sanitize.ts), refuse DOCTYPE and absurd nesting, then
 * validate and parse strictly with everything kept as strings. Throws only ManscdpParseError.
 */
export function parseXml(input: string): XmlElement {
  // Judged on the sanitised text, the one the parser reads: control characters are dropped there, so a DOCTYPE
  // split by one (`<!DOC\x01TYPE`) is whole again only after it. No DTD means no entity expansion (billion laughs).
  const { text, depth, declaration } = sanitizeXml(input);
  if (declaration || DTD_DECLARATION.test(text)) {
    throw new ManscdpParseError('forbidden-doctype', 'DOCTYPE and other DTD declarations are not allowed');
  }
  if (text.trim() === '') throw new ManscdpParseError('empty', 'no XML element');
  if (depth > MAX_XML_DEPTH) throw new ManscdpParseError('too-deep', `nesting ${depth} > ${MAX_XML_DEPTH}`);
  let nodes: unknown;
  try {
    const verdict = XMLValidator.validate(text, { allowBooleanAttributes: true });
    if (verdict !== true) {
      const { code, msg, line, col } = verdict.err;
      throw new ManscdpParseError('malformed-xml', `${code} ${msg} (line ${line}, col ${col})`);
    }
    nodes = parser.parse(text);
  } catch (error) {
    if (error instanceof ManscdpParseError) throw error;
    throw new ManscdpParseError('malformed-xml', String(error), { cause: error });
  }
  const root = Array.isArray(nodes) ? nodes.map(toElement).find((e) => e !== null) : undefined;
  if (!root) throw new ManscdpParseError('empty', 'no root element');
  return root;
}

function toElement(node: unknown): XmlElement | null {
  if (!isRecord(node)) return null;
  const name = Object.keys(node).find((k) => k !== ATTRIBUTES_KEY && k !== TEXT_KEY);
  if (name === undefined) return null;
  const content = node[name];
  const children: XmlElement[] = [];
  const texts: string[] = [];
  if (Array.isArray(content)) {
    for (const child of content) {
      if (isRecord(child) && typeof child[TEXT_KEY] === 'string') texts.push(child[TEXT_KEY]);
      else {
        const element = toElement(child);
        if (element) children.push(element);
      }
    }
  }
  return { name, attributes: toAttributes(node[ATTRIBUTES_KEY]), children, text: texts.join('').trim() };
}

function toAttributes(value: unknown): Record<string, string> {
  const attributes: Record<string, string> = {};
  if (!isRecord(value)) return attributes;
  for (const [key, v] of Object.entries(value))
    attributes[key] = typeof v === 'string' ? v.trim() : String(v);
  return attributes;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
