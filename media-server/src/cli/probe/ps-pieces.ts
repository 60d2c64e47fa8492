import { MediaInputError } from '../../errors';
import { Rfc4571Deframer } from '@tessera/media-protocols';
import { findPcapMediaFlow } from './pcap-media';
import type { ProbeInputKind } from './probe-input';
import { type PsPiece, parseRtpStream, psFromRtp } from './rtp-ps-input';

/** Reads the input as PS pieces: the file itself, or RTP payloads in sequence order with their gaps. */
export function psPiecesOf(buf: Buffer, kind: ProbeInputKind): PsPiece[] {
  if (kind === 'ps') return [{ kind: 'data', bytes: buf }];
  if (kind === 'rfc4571') {
    const deframer = new Rfc4571Deframer();
    return psFromRtp(parseRtpStream(deframer.push(buf).map((f) => f.data)));
  }
  const flow = findPcapMediaFlow(buf);
  if (!flow) throw new MediaInputError('no flow carrying PS over RTP in this capture');
  return psFromRtp(flow.packets);
}
