/** RFC 3261 §7.3.3 compact forms, plus `o`/`u` (RFC 6665 events) and `r` (RFC 3515 REFER), mapped to full names. */
const compactForms = new Map<string, string>([
  ['i', 'Call-ID'],
  ['m', 'Contact'],
  ['e', 'Content-Encoding'],
  ['l', 'Content-Length'],
  ['c', 'Content-Type'],
  ['f', 'From'],
  ['s', 'Subject'],
  ['k', 'Supported'],
  ['t', 'To'],
  ['v', 'Via'],
  ['o', 'Event'],
  ['u', 'Allow-Events'],
  ['r', 'Refer-To'],
]);

/** Spelling we write for headers we know, so output is stable whatever case the peer used. */
const canonicalSpellings = [
  'Accept',
  'Accept-Encoding',
  'Accept-Language',
  'Alert-Info',
  'Allow',
  'Allow-Events',
  'Authentication-Info',
  'Authorization',
  'Call-ID',
  'Call-Info',
  'Contact',
  'Content-Disposition',
  'Content-Encoding',
  'Content-Language',
  'Content-Length',
  'Content-Type',
  'CSeq',
  'Date',
  'Error-Info',
  'Event',
  'Expires',
  'From',
  'In-Reply-To',
  'Max-Forwards',
  'Min-Expires',
  'MIME-Version',
  'Organization',
  'Priority',
  'Proxy-Authenticate',
  'Proxy-Authorization',
  'Proxy-Require',
  'Reason',
  'Record-Route',
  'Refer-To',
  'Reply-To',
  'Require',
  'Retry-After',
  'Route',
  'Server',
  'Subject',
  'Subscription-State',
  'Supported',
  'Timestamp',
  'To',
  'Unsupported',
  'User-Agent',
  'Via',
  'Warning',
  'WWW-Authenticate',
];

const canonicalByLower = new Map<string, string>(
  canonicalSpellings.map((name) => [name.toLowerCase(), name]),
);

/**
 * Headers whose value is a comma-separated list (RFC 3261 §7.3.1): `Via: a, b` means two Vias. Other headers keep
 * their commas (Date, WWW-Authenticate, Subject in GB/T 28181 `id:ssrc,id:0`).
 */
const listHeaders = new Set([
  'accept',
  'accept-encoding',
  'accept-language',
  'alert-info',
  'allow',
  'allow-events',
  'call-info',
  'contact',
  'content-encoding',
  'content-language',
  'error-info',
  'in-reply-to',
  'proxy-require',
  'record-route',
  'require',
  'route',
  'supported',
  'unsupported',
  'via',
  'warning',
]);

export interface KnownHeaderName {
  readonly canonical: string;
  readonly key: string;
}

/**
 * Every header we know, looked up by the spelling as found on the wire (canonical, lower-case, compact in either
 * case): a parsed keepalive's ten names and every `get('Via')` resolve without lower-casing a new string each time.
 * Only these fixed spellings are in it, so a peer's odd names cannot grow it.
 */
const knownSpellings = new Map<string, KnownHeaderName>();
for (const canonical of canonicalSpellings) {
  const entry = { canonical, key: canonical.toLowerCase() };
  knownSpellings.set(canonical, entry);
  knownSpellings.set(entry.key, entry);
}
for (const [compact, full] of compactForms) {
  const entry = knownSpellings.get(full) ?? { canonical: full, key: full.toLowerCase() };
  knownSpellings.set(compact, entry);
  knownSpellings.set(compact.toUpperCase(), entry);
}

/** Canonical spelling and key of a name, from the fixed table when the name is spelled as we know it. */
export function resolveHeaderName(name: string): KnownHeaderName {
  const known = knownSpellings.get(name);
  if (known !== undefined) return known;
  const canonical = canonicalHeaderName(name);
  return { canonical, key: canonical.toLowerCase() };
}

/** Full, canonically spelled name for a header name as found on the wire; unknown names are kept as sent. */
export function canonicalHeaderName(name: string): string {
  const known = knownSpellings.get(name);
  if (known !== undefined) return known.canonical;
  const lower = name.toLowerCase();
  return compactForms.get(lower) ?? canonicalByLower.get(lower) ?? name;
}

/** Case-insensitive identity of a header name (compact forms folded into full names). */
export function headerKey(name: string): string {
  return knownSpellings.get(name)?.key ?? canonicalHeaderName(name).toLowerCase();
}

export function isListHeader(name: string): boolean {
  return listHeaders.has(headerKey(name));
}

/** `isListHeader` for a key already folded by `headerKey`. */
export function isListHeaderKey(key: string): boolean {
  return listHeaders.has(key);
}
