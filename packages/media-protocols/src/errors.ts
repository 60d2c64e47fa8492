import { TesseraError } from '@tessera/kit';

/**
 * Named errors of the protocol code. Parsers throw them only from functions whose contract is "parse this one
 * message" (an RTP packet, a pcap file, an SPS); the streaming parsers (`PsDemuxer`, `Rfc4571Deframer`) never
 * throw on bad input: they count it in `stats` and resynchronise.
 */

export type RtpParseFailure = 'too-short' | 'bad-version' | 'bad-csrc' | 'bad-extension' | 'bad-padding';

export class RtpParseError extends TesseraError {
  constructor(
    readonly reason: RtpParseFailure,
    message: string,
  ) {
    super('rtp_malformed', message);
  }
}

export class PcapFormatError extends TesseraError {
  constructor(message: string) {
    super('pcap_malformed', message);
  }
}

/** An RBSP (SPS, slice header…) ended before a field could be read. */
export class BitstreamError extends TesseraError {
  constructor(message: string) {
    super('bitstream_overrun', message);
  }
}

/** A parameter set whose syntax is invalid or unsupported. */
export class ParameterSetError extends TesseraError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('parameter_set_invalid', message, options);
  }
}

/** Input the PS muxer or RTP packetizer cannot encode (e.g. a timestamp out of range). */
export class MediaEncodeError extends TesseraError {
  constructor(message: string) {
    super('media_encode_invalid', message);
  }
}
