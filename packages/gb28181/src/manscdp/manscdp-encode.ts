import { DEFAULT_CHARSET, encodeBody } from './charset';
import { MANSCDP_CODECS, type ManscdpMessage, type TypedManscdpMessage } from './manscdp-message';
import type { MessageCodec } from './message-codec';
import { writeEnvelope } from './message-header';
import type { XmlElement } from './xml-element';
import { writeXml } from './xml-write';

export interface EncodeManscdpOptions {
  /** Per-device charset; default GB2312 declaration with GB18030 bytes. */
  charset?: string;
}

const byKind = new Map<string, MessageCodec<TypedManscdpMessage>>(MANSCDP_CODECS.map((c) => [c.kind, c]));

/** Message → element tree; an unsupported message is written back as it was received. */
export function writeManscdp(message: ManscdpMessage): XmlElement {
  if (message.kind === 'unsupported') return message.body;
  const codec = byKind.get(message.kind)!;
  return writeEnvelope(codec.root, codec.cmdType, message, codec.write(message));
}

/** Message → XML text without declaration. */
export function manscdpXml(message: ManscdpMessage): string {
  return writeXml(writeManscdp(message));
}

/** Message → wire bytes with a matching XML declaration; Content-Length is the buffer's length. */
export function encodeManscdp(message: ManscdpMessage, opts: EncodeManscdpOptions = {}): Buffer {
  return encodeBody(manscdpXml(message), opts.charset ?? DEFAULT_CHARSET);
}
