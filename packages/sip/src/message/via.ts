import { SipParseError } from '../errors';
import { formatHostPort, parseHostPort } from './host-port';
import { formatParams, parseParams, type SipParams } from './params';

/** One Via value (RFC 3261 §20.42). `branch`, `rport` and `received` are read from `params` for convenience. */
export interface SipVia {
  /** `SIP/2.0`. */
  protocol: string;
  /** Upper-cased: `UDP`, `TCP`, … */
  transport: string;
  host: string;
  port?: number;
  params: SipParams;
  branch?: string;
  /** `true` for a bare `;rport` (the client asks for it, RFC 3581), the number once a server filled it in. */
  rport?: number | true;
  received?: string;
}

/** The RFC 3261 branch prefix: a branch starting with it is unique per transaction (§8.1.1.7). */
export const branchMagicCookie = 'z9hG4bK';

const viaPattern = /^([^\s/]+)\s*\/\s*([^\s/]+)\s*\/\s*([^\s/]+)\s+(.+)$/s;

/** Parses one Via value (not a comma-separated line: split those with `SipHeaders.getAll('Via')`). */
export function parseVia(input: string): SipVia {
  const match = viaPattern.exec(input.trim());
  if (!match) throw new SipParseError('bad-via', `cannot read "${input}"`);
  const [name, version, transport, rest] = [match[1]!, match[2]!, match[3]!, match[4]!];
  const semi = rest.indexOf(';');
  const sentBy = parseViaHostPort(semi < 0 ? rest : rest.slice(0, semi), input);
  if (sentBy.host === '') throw new SipParseError('bad-via', `no sent-by host in "${input}"`);
  const params = parseViaParams(semi < 0 ? '' : rest.slice(semi), input);
  const via: SipVia = {
    protocol: `${name.toUpperCase()}/${version}`,
    transport: transport.toUpperCase(),
    host: sentBy.host,
    params,
  };
  if (sentBy.port !== undefined) via.port = sentBy.port;
  const branch = params.get('branch');
  if (typeof branch === 'string') via.branch = branch;
  const received = params.get('received');
  if (typeof received === 'string') via.received = received;
  if (params.has('rport')) {
    const rport = params.get('rport');
    if (rport === null || rport === '') via.rport = true;
    else if (/^\d{1,5}$/.test(rport ?? '')) via.rport = Number(rport);
    else throw new SipParseError('bad-via', `bad rport in "${input}"`);
  }
  return via;
}

/** Writes a Via value. `branch`, `received` and a numeric `rport` set on the object win over `params`. */
export function formatVia(via: SipVia): string {
  const rport = via.rport === undefined ? undefined : via.rport === true ? null : String(via.rport);
  // The params are copied only when a field disagrees with them (a Via parsed or stamped by us never does).
  const agrees =
    (via.branch === undefined || via.params.get('branch') === via.branch) &&
    (via.received === undefined || via.params.get('received') === via.received) &&
    (rport === undefined || via.params.get('rport') === rport);
  const params = agrees ? via.params : new Map(via.params);
  if (!agrees) {
    if (via.branch !== undefined) params.set('branch', via.branch);
    if (via.received !== undefined) params.set('received', via.received);
    if (rport !== undefined) params.set('rport', rport);
  }
  return `${via.protocol}/${via.transport} ${formatHostPort(via)}${formatParams(params)}`;
}

function parseViaHostPort(text: string, input: string) {
  try {
    return parseHostPort(text);
  } catch (error) {
    throw new SipParseError('bad-via', `bad sent-by in "${input}"`, { cause: error });
  }
}

function parseViaParams(text: string, input: string): SipParams {
  try {
    return parseParams(text);
  } catch (error) {
    throw new SipParseError('bad-via', `bad parameters in "${input}"`, { cause: error });
  }
}
