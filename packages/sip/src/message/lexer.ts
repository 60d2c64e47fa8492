/**
 * Quote- and bracket-aware splitting shared by the header grammars. SIP values put separators inside quoted strings
 * (`+sip.instance="<urn:uuid:…>"`, `qop="auth,auth-int"`) and inside `<…>` URIs, so a plain `split(',')` is wrong.
 */
export function splitTopLevel(input: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let inQuotes = false;
  let start = 0;
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (inQuotes) {
      if (ch === '\\') i++;
      else if (ch === '"') inQuotes = false;
      continue;
    }
    if (ch === '"') inQuotes = true;
    else if (ch === '<') depth++;
    else if (ch === '>' && depth > 0) depth--;
    else if (ch === separator && depth === 0) {
      parts.push(input.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(input.slice(start));
  return parts;
}

/** Comma-separated list items, trimmed, empty items dropped (RFC 3261 §7.3.1 allows `a, , b`). */
export function splitList(input: string): string[] {
  // Most list headers carry one item (a device's single Via): no scan, no intermediate arrays.
  if (!input.includes(',')) {
    const item = input.trim();
    return item === '' ? [] : [item];
  }
  return splitTopLevel(input, ',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

/** Removes surrounding quotes and backslash escapes from a quoted-string; other input is returned trimmed. */
export function unquote(value: string): string {
  const trimmed = value.trim();
  if (trimmed.length < 2 || !trimmed.startsWith('"') || !trimmed.endsWith('"')) return trimmed;
  return trimmed.slice(1, -1).replace(/\\(.)/g, '$1');
}

/** Wraps a value in a quoted-string, escaping `"` and `\`. */
export function quote(value: string): string {
  return `"${value.replace(/(["\\])/g, '\\$1')}"`;
}

const tokenPattern = /^[A-Za-z0-9\-.!%*_+`'~]+$/;

/** RFC 3261 `token`: method names, header names, parameter names. */
export function isToken(value: string): boolean {
  return tokenPattern.test(value);
}
