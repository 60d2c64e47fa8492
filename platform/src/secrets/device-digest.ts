import { createHash } from 'node:crypto';

/** What the device table keeps of a device's SIP password (never the password itself). */
export interface DeviceDigest {
  password_ha1: string;
  password_realm: string;
}

/**
 * HA1 = MD5(username ":" realm ":" password) (RFC 2617 §3.2.2.2), the username being the device ID (GB/T 28181
 * §9.1.2.1): enough for the gateway to verify a digest, useless for logging in anywhere with another realm.
 */
export function deviceDigest(deviceId: string, realm: string, password: string): DeviceDigest {
  return {
    password_ha1: createHash('md5').update(`${deviceId}:${realm}:${password}`).digest('hex'),
    password_realm: realm,
  };
}

/** The SIP realm the gateway challenges with: the first 10 digits of the SIP ID (gateway/src/config.ts). */
export function sipRealmOf(sipId: string): string {
  return sipId.substring(0, 10);
}
