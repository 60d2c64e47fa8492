import { createHash } from 'node:crypto';

/** What the device table keeps of a device's SIP password (never the password itself). */
export interface DeviceDigest {
  password_ha1: string;
  password_ha1_sm3: string;
  password_realm: string;
}

/**
 * HA1 = MD5(username ":" realm ":" password) (RFC 2617 §3.2.2.2), the username being the device ID (GB/T 28181
 * §9.1.2.1): enough for the gateway to verify a digest, useless for logging in anywhere with another realm. The same
 * with SM3 for GB/T 28181-2022 devices challenged with `algorithm=SM3` (RFC 7616 §3.4: HA1 uses the named hash).
 */
export function deviceDigest(deviceId: string, realm: string, password: string): DeviceDigest {
  return {
    password_ha1: createHash('md5').update(`${deviceId}:${realm}:${password}`).digest('hex'),
    password_ha1_sm3: createHash('sm3').update(`${deviceId}:${realm}:${password}`).digest('hex'),
    password_realm: realm,
  };
}

/** The SIP realm the gateway challenges with: the first 10 digits of the SIP ID (gateway/src/config.ts). */
export function sipRealmOf(sipId: string): string {
  return sipId.substring(0, 10);
}
