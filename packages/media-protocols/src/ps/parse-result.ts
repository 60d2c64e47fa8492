/**
 * Result of parsing one PS structure from a buffer that may not hold all of it yet. Parsers of the streaming
 * demuxer return this instead of throwing: bad input is normal there and must be cheap to count.
 */
export type ParseResult<T> =
  | { readonly status: 'ok'; readonly value: T; readonly length: number }
  | { readonly status: 'need'; readonly length: number }
  | { readonly status: 'bad'; readonly reason: string };

export function need(length: number): { readonly status: 'need'; readonly length: number } {
  return { status: 'need', length };
}

export function bad(reason: string): { readonly status: 'bad'; readonly reason: string } {
  return { status: 'bad', reason };
}
