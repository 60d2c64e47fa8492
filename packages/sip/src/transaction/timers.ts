/**
 * RFC 3261 §17.1.1.1 / Table 4 base values: T1 is the RTT estimate, T2 the cap on non-INVITE and INVITE-response
 * retransmit intervals, T4 how long a message may linger in the network. Every other timer derives from these.
 */
export interface SipTimers {
  t1: number;
  t2: number;
  t4: number;
}

export const defaultSipTimers: SipTimers = { t1: 500, t2: 4_000, t4: 5_000 };

/** 64·T1: Timers B, F, H, J (UDP), L and M, and Timer D (RFC: "at least 32 seconds", which 64·T1 is by default). */
export function transactionTimeout(timers: SipTimers): number {
  return 64 * timers.t1;
}
