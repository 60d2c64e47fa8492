import type { XmlElement } from './xml-element';

/**
 * Element tree → XML text without a declaration (encodeBody adds it with the charset). One element per line,
 * CRLF, no indentation: devices read it and the bytes count against the UDP budget.
 */
export function writeXml(element: XmlElement): string {
  const out: string[] = [];
  write(element, out);
  return out.join('\r\n');
}

function write(element: XmlElement, out: string[]): void {
  const open = `<${element.name}${writeAttributes(element.attributes)}>`;
  if (element.children.length === 0) {
    out.push(`${open}${escapeText(element.text)}</${element.name}>`);
    return;
  }
  out.push(`${open}${escapeText(element.text)}`);
  for (const child of element.children) write(child, out);
  out.push(`</${element.name}>`);
}

function writeAttributes(attributes: Readonly<Record<string, string>>): string {
  return Object.entries(attributes)
    .map(([key, value]) => ` ${key}="${escapeText(value).replace(/"/g, '&quot;')}"`)
    .join('');
}

export function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
