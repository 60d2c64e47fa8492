import iconv from 'iconv-lite';
import { ManscdpEncodeError, ManscdpParseError } from './errors';

/**
 * MANSCDP body charsets (notes §1.9). GB/T 28181-2016 says GB2312, 2022 says GB18030; devices declare
 * `encoding="GB2312"` and send GBK bytes, some send UTF-8 while declaring GB2312. GB18030 is a superset of
 * GB2312 and GBK, so every GB name decodes and encodes as GB18030.
 */

export interface DecodedBody {
  text: string;
  /** The charset the bytes were read with, canonical lower case: 'gb18030', 'utf-8', or an iconv name. */
  charset: string;
}

export interface DecodeBodyOptions {
  /** Per-device charset from the inventory; wins over the declaration and over sniffing. */
  override?: string | null;
}

export const DEFAULT_CHARSET = 'GB2312';

const GB_FAMILY = new Set(['gb2312', 'gbk', 'gb18030', 'cp936', 'x-gbk', 'euc-cn', 'gb_2312-80', 'csgb2312']);
const UTF8_NAMES = new Set(['utf-8', 'utf8']);
const DECLARATION = /^\s*<\?xml\b[^>]*?\bencoding\s*=\s*["']\s*([A-Za-z0-9._:-]{1,40})\s*["']/i;
const DECLARATION_BLOCK = /^\uFEFF?\s*<\?xml\b[^>]*?\?>[ \t]*(\r?\n)?/i;
/** A declaration readable as ASCII cannot truthfully name these; such a declaration is ignored. */
const NOT_ASCII_COMPATIBLE = /^(utf-?16|utf-?32|ucs-?2|ucs-?4|utf-?7|base64|hex|binary)/;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Canonical name of a charset we can decode, or null when iconv-lite does not know it. */
export function canonicalCharset(name: string): string | null {
  const lower = name.trim().toLowerCase();
  if (GB_FAMILY.has(lower)) return 'gb18030';
  if (UTF8_NAMES.has(lower)) return 'utf-8';
  return lower !== '' && iconv.encodingExists(lower) ? lower : null;
}

/** The `encoding` of the XML declaration, as written, or null when there is none. */
export function declaredCharset(bytes: Buffer): string | null {
  // The declaration is ASCII in every ASCII-compatible charset; a UTF-8 BOM reads as 'ï»¿' in Latin-1.
  const head = bytes
    .subarray(0, 256)
    .toString('latin1')
    .replace(/^\u00EF\u00BB\u00BF/, '');
  return DECLARATION.exec(head)?.[1] ?? null;
}

/**
 * Bytes → text. Order: the per-device override; valid UTF-8 containing non-ASCII (whatever is declared);
 * the declared charset (GB names → GB18030); GB18030 when nothing usable is declared or when UTF-8 is
 * declared but the bytes are not UTF-8 (in practice GBK).
 */
export function decodeBody(bytes: Buffer, opts: DecodeBodyOptions = {}): DecodedBody {
  if (opts.override) {
    const charset = canonicalCharset(opts.override);
    if (!charset)
      throw new ManscdpParseError('unsupported-charset', `override ${JSON.stringify(opts.override)}`);
    return { text: decodeWith(bytes, charset), charset };
  }
  const declaredName = declaredCharset(bytes);
  const canonicalDeclared = declaredName ? canonicalCharset(declaredName) : null;
  const declared =
    canonicalDeclared && !NOT_ASCII_COMPATIBLE.test(canonicalDeclared) ? canonicalDeclared : null;
  const nonAscii = hasNonAscii(bytes);
  if (nonAscii) {
    const utf8 = tryUtf8(bytes);
    if (utf8 !== null) return { text: utf8, charset: 'utf-8' };
  }
  const charset = declared === null || (declared === 'utf-8' && nonAscii) ? 'gb18030' : declared;
  return { text: decodeWith(bytes, charset), charset };
}

/**
 * Text → bytes with a matching XML declaration (any declaration in `xml` is replaced). GB names keep
 * their spelling in the declaration (default `GB2312`) and are written as GB18030 bytes, so characters
 * outside GB2312 survive. Content-Length must be the length of the returned buffer.
 */
export function encodeBody(xml: string, charset: string = DEFAULT_CHARSET): Buffer {
  const canonical = canonicalCharset(charset);
  if (!canonical) throw new ManscdpEncodeError('unsupported-charset', JSON.stringify(charset));
  const body = xml.replace(DECLARATION_BLOCK, '');
  return encodeWith(
    `<?xml version="1.0" encoding="${declarationName(charset, canonical)}"?>\r\n${body}`,
    canonical,
  );
}

/** Text → bytes in `charset` without touching any declaration (used to measure parts of a message). */
export function encodeText(text: string, charset: string = DEFAULT_CHARSET): Buffer {
  const canonical = canonicalCharset(charset);
  if (!canonical) throw new ManscdpEncodeError('unsupported-charset', JSON.stringify(charset));
  return encodeWith(text, canonical);
}

function encodeWith(text: string, canonical: string): Buffer {
  return canonical === 'utf-8' ? Buffer.from(text, 'utf8') : iconv.encode(text, canonical);
}

function declarationName(requested: string, canonical: string): string {
  if (canonical === 'utf-8') return 'UTF-8';
  const upper = requested.trim().toUpperCase();
  if (canonical === 'gb18030') return upper === 'GBK' || upper === 'GB18030' ? upper : 'GB2312';
  return upper;
}

function decodeWith(bytes: Buffer, charset: string): string {
  if (charset === 'utf-8') return tryUtf8(bytes) ?? bytes.toString('utf8');
  // iconv-lite turns a GB18030 four-byte sequence past U+10FFFF (first byte 0xE4–0xFE) into lone surrogates;
  // make them U+FFFD so what we keep is the text we store and send on (test/manscdp/issue/gb18030-four-byte-…).
  return iconv.decode(bytes, charset).replace(LONE_SURROGATE, '\uFFFD');
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function tryUtf8(bytes: Buffer): string | null {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

function hasNonAscii(bytes: Buffer): boolean {
  for (const b of bytes) if (b >= 0x80) return true;
  return false;
}
