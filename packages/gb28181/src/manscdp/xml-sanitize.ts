/**
 * Repairs what real devices put in MANSCDP bodies before a strict parser sees them (notes §1.9):
 * - control characters other than tab/CR/LF are dropped;
 * - anything before the first `<` (BOM, blank lines) is dropped;
 * - free-text leaves (Name, Address, …) are re-escaped wholesale, because Hikvision sends unescaped `<` and
 *   `&` in Address — wvp gives up and drops those lines, we keep the text;
 * - elsewhere a bare `&` that does not start an XML entity becomes `&amp;`, and a `<` that cannot start
 *   markup becomes `&lt;`.
 * CDATA sections, comments and processing instructions are copied unchanged. Any other `<!…>` markup is a DTD
 * declaration (DOCTYPE, ENTITY, ELEMENT, ATTLIST, NOTATION); it is copied too but reported, so the parser refuses the
 * body. The report is made here, on the text the parser will see, because control characters are dropped first:
 * `<!DOC\x01TYPE` only becomes `<!DOCTYPE` in this pass, and a filter run on the input missed it.
 */

/** Leaves that hold free text typed by people, so may contain markup characters. */
const FREE_TEXT_LEAVES = [
  'name',
  'devicename',
  'address',
  'manufacturer',
  'model',
  'owner',
  'block',
  'alarmdescription',
  'filepath',
  'firmware',
  'password',
  'reason',
];

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;
const ENTITY = /^&(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6});/;
const BARE_AMP = /&(?!(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6});)/g;
/** Free text longer than this is not looked for; keeps the pass linear on hostile input. */
const MAX_FREE_TEXT = 4096;
const leafPatterns = new Map(
  FREE_TEXT_LEAVES.map((n) => [
    n,
    { close: new RegExp(`</${n}\\s*>`, 'i'), open: new RegExp(`<${n}[\\s/>]`, 'i') },
  ]),
);

export interface SanitizedXml {
  text: string;
  /** Deepest element nesting seen, so callers can refuse pathological input before parsing. */
  depth: number;
  /** A DTD declaration (`<!DOCTYPE`, `<!ENTITY`, …) is in the text as markup: callers must refuse it. */
  declaration: boolean;
}

export function sanitizeXml(input: string): SanitizedXml {
  const cleaned = input.replace(CONTROL_CHARS, '');
  const start = cleaned.indexOf('<');
  const s = start < 0 ? '' : cleaned.slice(start);
  const out: string[] = [];
  let depth = 0;
  let maxDepth = 0;
  let declaration = false;
  let i = 0;
  while (i < s.length) {
    const ch = s[i]!;
    if (ch === '&') {
      out.push(ENTITY.test(s.slice(i, i + 12)) ? '&' : '&amp;');
      i++;
      continue;
    }
    if (ch !== '<') {
      const next = nextSpecial(s, i);
      out.push(s.slice(i, next));
      i = next;
      continue;
    }
    const verbatim = verbatimEnd(s, i);
    if (verbatim > 0) {
      if (isDeclaration(s, i)) declaration = true;
      out.push(s.slice(i, verbatim));
      i = verbatim;
      continue;
    }
    const tag = readTag(s, i);
    if (!tag) {
      out.push('&lt;');
      i++;
      continue;
    }
    out.push(tag.markup);
    i = tag.end;
    if (tag.closing) depth--;
    else if (!tag.selfClosing) {
      depth++;
      maxDepth = Math.max(maxDepth, depth);
      const leaf = freeTextLeaf(s, i, tag.name);
      if (leaf) {
        out.push(leaf.escaped, leaf.closeTag);
        i = leaf.end;
        depth--;
      }
    }
  }
  return { text: out.join(''), depth: maxDepth, declaration };
}

/** `<!` that opens neither a comment nor a CDATA section: DOCTYPE, ENTITY and the other DTD declarations. */
function isDeclaration(s: string, i: number): boolean {
  return s.startsWith('<!', i) && !s.startsWith('<!--', i) && !s.startsWith('<![CDATA[', i);
}

function nextSpecial(s: string, from: number): number {
  for (let j = from; j < s.length; j++) {
    const c = s[j];
    if (c === '<' || c === '&') return j;
  }
  return s.length;
}

/** End of a CDATA section, comment or processing instruction starting at `i`, or 0. */
function verbatimEnd(s: string, i: number): number {
  const terminator = s.startsWith('<![CDATA[', i)
    ? ']]>'
    : s.startsWith('<!--', i)
      ? '-->'
      : s.startsWith('<?', i)
        ? '?>'
        : s.startsWith('<!', i)
          ? '>'
          : null;
  if (terminator === null) return 0;
  const end = s.indexOf(terminator, i + 2);
  return end < 0 ? s.length : end + terminator.length;
}

interface Tag {
  name: string;
  markup: string;
  end: number;
  closing: boolean;
  selfClosing: boolean;
}

/** A start or end tag at `i` (quotes respected, bare `&`/`<` in attribute values escaped), or null. */
function readTag(s: string, i: number): Tag | null {
  const closing = s[i + 1] === '/';
  const nameStart = closing ? i + 2 : i + 1;
  if (!/[A-Za-z_:]/.test(s[nameStart] ?? '')) return null;
  let j = nameStart;
  while (j < s.length && /[\w.:-]/.test(s[j]!)) j++;
  const name = s.slice(nameStart, j);
  const parts: string[] = [s.slice(i, j)];
  let quote: string | null = null;
  for (; j < s.length; j++) {
    const c = s[j]!;
    if (quote) {
      if (c === quote) quote = null;
      if (c === '<') parts.push('&lt;');
      else if (c === '&' && !ENTITY.test(s.slice(j, j + 12))) parts.push('&amp;');
      else parts.push(c);
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    parts.push(c);
    if (c === '>') {
      return { name, markup: parts.join(''), end: j + 1, closing, selfClosing: s[j - 1] === '/' };
    }
    if (c === '<') return null;
  }
  return null;
}

/** For a free-text leaf whose content starts at `from`: its content escaped, up to its own end tag. */
function freeTextLeaf(
  s: string,
  from: number,
  name: string,
): { escaped: string; closeTag: string; end: number } | null {
  const patterns = leafPatterns.get(name.toLowerCase());
  if (!patterns) return null;
  const window = s.slice(from, from + MAX_FREE_TEXT);
  const close = patterns.close.exec(window);
  if (!close) return null;
  const content = window.slice(0, close.index);
  // A nested tag of the same name or a CDATA section means this is not a plain leaf: leave it alone.
  if (content.includes('<![CDATA[') || patterns.open.test(content)) return null;
  const escaped = content.replace(BARE_AMP, '&amp;').replace(/</g, '&lt;');
  return { escaped, closeTag: close[0], end: from + close.index + close[0].length };
}
