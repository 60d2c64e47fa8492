/**
 * GB/T 28181 SSRC (`y=`): 10 decimal digits — digit 1 is 0 live / 1 history, digits 2–6 come from the SIP domain,
 * digits 7–10 are a stream index; the RTP SSRC is that decimal value (`y=0100008888` → 100008888, notes §1.6).
 */

const MAX_SSRC = 0xffffffff;

/**
 * A device's `y=` as the 10-digit form, or null when it is no SSRC at all. Devices that drop leading zeros
 * (`y=100008888`) are padded; values beyond 32 bits cannot be an RTP SSRC and give null.
 */
export function normalizeGbSsrc(raw: string | null): string | null {
  if (raw === null) return null;
  const digits = raw.trim();
  if (!/^\d{1,10}$/.test(digits) || Number(digits) > MAX_SSRC) return null;
  return digits.padStart(10, '0');
}

/** The RTP SSRC a `y=` value stands for. */
export function gbSsrcToRtp(ssrc: string): number {
  return Number.parseInt(ssrc, 10) >>> 0;
}

/** The `y=` form of an RTP SSRC (10 digits, zero-padded). */
export function rtpSsrcToGb(ssrc: number): string {
  return String(ssrc >>> 0).padStart(10, '0');
}
