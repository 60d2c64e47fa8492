import { TesseraError } from '@tessera/kit';

/** Why an SDP body was rejected. Stable strings: callers count rejections by reason. */
export type SdpParseReason =
  | 'empty'
  | 'too-large'
  | 'not-text'
  | 'bad-line'
  | 'bad-version'
  | 'bad-connection'
  | 'bad-timing'
  | 'bad-media'
  | 'no-media'
  | 'no-connection';

/** An SDP body (a device's answer, a peer's offer) that cannot be understood. The only error the parsers throw. */
export class SdpParseError extends TesseraError {
  constructor(
    readonly reason: SdpParseReason,
    readonly detail: string,
  ) {
    super('sdp-parse', `SDP ${reason}: ${detail}`);
  }
}

export type SdpBuildReason = 'bad-ssrc' | 'bad-port' | 'bad-host' | 'bad-time-range';

/** An offer that cannot be written as asked (a caller error, not device input). */
export class SdpBuildError extends TesseraError {
  constructor(
    readonly reason: SdpBuildReason,
    detail: string,
  ) {
    super('sdp-build', `SDP ${reason}: ${detail}`);
  }
}
