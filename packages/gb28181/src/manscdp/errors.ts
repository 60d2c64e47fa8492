import { TesseraError } from '@tessera/kit';

/** Why a MANSCDP body was rejected; stable, so the SIP layer can count rejections by reason. */
export type ManscdpParseReason =
  | 'empty'
  | 'too-large'
  | 'unsupported-charset'
  | 'forbidden-doctype'
  | 'malformed-xml'
  | 'too-deep'
  | 'unknown-root'
  | 'missing-cmd-type'
  | 'missing-sn'
  | 'invalid-sn'
  | 'missing-device-id';

/** A MANSCDP body that cannot be understood. The only error the decoders throw. */
export class ManscdpParseError extends TesseraError {
  constructor(
    readonly reason: ManscdpParseReason,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super('manscdp-parse', `MANSCDP ${reason}: ${detail}`, options);
  }
}

export type ManscdpEncodeReason = 'unsupported-charset' | 'invalid-budget';

/** A message that cannot be put on the wire as asked (caller error, not device input). */
export class ManscdpEncodeError extends TesseraError {
  constructor(
    readonly reason: ManscdpEncodeReason,
    detail: string,
  ) {
    super('manscdp-encode', `MANSCDP ${reason}: ${detail}`);
  }
}

export type PtzCommandReason = 'bad-format' | 'bad-header' | 'bad-checksum' | 'out-of-range';

/** A PTZCmd string that is not a valid 8-byte frame, or a command whose values do not fit one. */
export class PtzCommandError extends TesseraError {
  constructor(
    readonly reason: PtzCommandReason,
    detail: string,
  ) {
    super('ptz-command', `PTZCmd ${reason}: ${detail}`);
  }
}
