import { SipParseError } from '../errors';

/**
 * Parses an Expires value in seconds (RFC 3261 §20.19 delta-seconds). `Expires: 0` is how a GB/T 28181 device
 * unregisters, so zero is a valid answer, not a falsy accident.
 */
export function parseExpires(input: string): number {
  const text = input.trim();
  if (!/^\d{1,10}$/.test(text))
    throw new SipParseError('bad-number', `Expires is not delta-seconds: "${input}"`);
  // RFC 3261 §20.19: values above 2**32-1 are treated as that maximum.
  return Math.min(Number(text), 2 ** 32 - 1);
}
