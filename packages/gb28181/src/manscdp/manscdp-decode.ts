import { type DecodeBodyOptions, decodeBody } from './charset';
import { ManscdpParseError } from './errors';
import { optionalText } from './fields';
import { MANSCDP_CODECS, type ManscdpMessage } from './manscdp-message';
import { readCmdType, readHeader, readRoot, readSn } from './message-header';
import type { XmlElement } from './xml-element';
import { parseXml } from './xml-parse';

/** Bodies above this are refused before decoding (a 256-channel NVR catalog in one TCP message is ~250 kB). */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export interface DecodeManscdpOptions {
  /** Per-device charset override (DevicePolicy.charset). */
  charset?: string | null;
  maxBytes?: number;
}

export interface DecodedManscdp {
  message: ManscdpMessage;
  /** The charset the body was read with (see decodeBody). */
  charset: string;
}

export type DecodeManscdpResult = ({ ok: true } & DecodedManscdp) | { ok: false; error: ManscdpParseError };

const byRootAndCmdType = new Map(MANSCDP_CODECS.map((c) => [`${c.root}:${c.cmdType.toLowerCase()}`, c]));

/** Wire bytes → message. Throws ManscdpParseError, and nothing else, for any input. */
export function decodeManscdp(bytes: Buffer, opts: DecodeManscdpOptions = {}): DecodedManscdp {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (bytes.length === 0) throw new ManscdpParseError('empty', 'no body');
  if (bytes.length > maxBytes)
    throw new ManscdpParseError('too-large', `${bytes.length} > ${maxBytes} bytes`);
  const decodeOptions: DecodeBodyOptions = { override: opts.charset ?? null };
  const { text, charset } = decodeBody(bytes, decodeOptions);
  return { message: readManscdp(parseXml(text)), charset };
}

/** decodeManscdp as a result value, for callers that count rejections instead of catching. */
export function tryDecodeManscdp(bytes: Buffer, opts: DecodeManscdpOptions = {}): DecodeManscdpResult {
  try {
    return { ok: true, ...decodeManscdp(bytes, opts) };
  } catch (error) {
    if (error instanceof ManscdpParseError) return { ok: false, error };
    throw error;
  }
}

/** Already-decoded text → message (tests, tools). Throws ManscdpParseError. */
export function parseManscdpXml(text: string, opts: { maxChars?: number } = {}): ManscdpMessage {
  const maxChars = opts.maxChars ?? DEFAULT_MAX_BODY_BYTES;
  if (text.length > maxChars) throw new ManscdpParseError('too-large', `${text.length} > ${maxChars} chars`);
  return readManscdp(parseXml(text));
}

/** Element tree → message: root and CmdType (both case-insensitive) select the kind. */
export function readManscdp(element: XmlElement): ManscdpMessage {
  const root = readRoot(element);
  const cmdType = readCmdType(element);
  const codec = byRootAndCmdType.get(`${root}:${cmdType.toLowerCase()}`);
  if (codec) return codec.read(element, readHeader(element, codec.cmdType));
  return {
    kind: 'unsupported',
    root,
    cmdType,
    sn: readSn(element),
    deviceId: optionalText(element, 'DeviceID'),
    body: element,
  };
}
