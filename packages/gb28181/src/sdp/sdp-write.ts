import type { SdpAttribute, SdpConnection, SdpLine, SdpMedia, SdpSession } from './sdp-session';

/**
 * Writes a session in RFC 4566 order (v o s i u e p c b t r z k a, then each m= with i c b k a), then the GB/T
 * 28181 lines `y=` and `f=` after the media, where wvp, SRS and cameras put them. CRLF line ends. Lines kept from
 * a parse go back to their RFC place; unknown letters go last.
 */
export function writeSdp(session: SdpSession): string {
  const out: string[] = [];
  const other = (types: string) => {
    for (const line of session.other) if (types.includes(line.type)) out.push(format(line));
  };
  out.push(`v=${session.version}`);
  if (session.origin !== null) out.push(`o=${session.origin}`);
  out.push(`s=${session.sessionName}`);
  other('i');
  if (session.uri !== null) out.push(`u=${session.uri}`);
  other('ep');
  if (session.connection) out.push(`c=${formatConnection(session.connection)}`);
  other('b');
  if (session.timing) out.push(`t=${session.timing.start} ${session.timing.stop}`);
  other('rzk');
  for (const attribute of session.attributes) out.push(`a=${formatAttribute(attribute)}`);
  for (const media of session.media) writeMedia(out, media);
  if (session.ssrc !== null) out.push(`y=${session.ssrc}`);
  if (session.format !== null) out.push(`f=${session.format}`);
  for (const line of session.other) if (!'iepbrzk'.includes(line.type)) out.push(format(line));
  return `${out.join('\r\n')}\r\n`;
}

function writeMedia(out: string[], media: SdpMedia): void {
  const port = media.portCount === null ? `${media.port}` : `${media.port}/${media.portCount}`;
  out.push(`m=${[media.media, port, media.protocol, ...media.formats].join(' ')}`);
  for (const line of media.other) if (line.type === 'i') out.push(format(line));
  if (media.connection) out.push(`c=${formatConnection(media.connection)}`);
  for (const line of media.other) if (line.type === 'b' || line.type === 'k') out.push(format(line));
  for (const attribute of media.attributes) out.push(`a=${formatAttribute(attribute)}`);
  for (const line of media.other) if (!'ibk'.includes(line.type)) out.push(format(line));
}

export function formatConnection(connection: SdpConnection): string {
  return `${connection.netType} ${connection.addrType} ${connection.address}`;
}

export function formatAttribute(attribute: SdpAttribute): string {
  return attribute.value === null ? attribute.name : `${attribute.name}:${attribute.value}`;
}

function format(line: SdpLine): string {
  return `${line.type}=${line.value}`;
}
