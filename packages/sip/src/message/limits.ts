/**
 * Caps applied to every inbound message. A GB/T 28181 MESSAGE carrying a catalog page is a few KiB, so 64 KiB is
 * generous while bounding what one datagram or one TCP peer can make us buffer and scan.
 */
export interface SipLimits {
  /** Whole message, start line to last body byte. */
  maxMessageBytes: number;
  /** Header fields after unfolding (a comma-separated Via line counts once). */
  maxHeaders: number;
}

export const defaultSipLimits: SipLimits = { maxMessageBytes: 64 * 1024, maxHeaders: 100 };
