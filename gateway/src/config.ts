import { parseConfig } from '@tessera/kit';
import { z } from 'zod';

const port = z.coerce
  .number({ error: 'expected a port number 0–65535' })
  .int('expected a port number 0–65535')
  .min(0, 'expected a port number 0–65535')
  .max(65535, 'expected a port number 0–65535');
const positiveInt = z.coerce.number().int().positive();

/** Passwords GB/T 28181 devices and their platforms ship with or are commonly set to; compared case-insensitively. */
const WEAK_SIP_PASSWORDS = new Set([
  '12345678',
  '123456789',
  '1234567890',
  '87654321',
  'password',
  'password1',
  'passw0rd',
  'admin123',
  'admin1234',
  'admin12345',
  'abc12345',
  'abcd1234',
  'a1234567',
  'qwerty123',
  'qwertyuiop',
  'hik12345',
]);

/**
 * Why a device password is too weak for the gateway to run on, or undefined. It is the password every device of
 * open admission shares, so it must not be guessable: at least 8 characters, not digits only (GB/T 28181 devices
 * ship with 12345678), not one character repeated, not one of WEAK_SIP_PASSWORDS.
 */
export function weakSipPasswordReason(password: string): string | undefined {
  if (password.length < 8) return 'shorter than 8 characters';
  if (/^\d+$/.test(password)) return 'digits only, like the 12345678 devices ship with';
  if (/^(.)\1*$/.test(password)) return 'one character repeated';
  if (WEAK_SIP_PASSWORDS.has(password.toLowerCase())) return 'a commonly used password';
  return undefined;
}

const SIP_PASSWORD_RULE = 'use at least 8 characters, not only digits, not a commonly used password';

const sipPassword = z
  .string({
    error: (issue) =>
      issue.input === undefined
        ? 'required: the device password (open admission admits any device that has it; `npm start` generates one)'
        : undefined,
  })
  .superRefine((password, ctx) => {
    const reason = weakSipPasswordReason(password);
    if (reason)
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `too weak (${reason}): ${SIP_PASSWORD_RULE}` });
  });

export const GatewayConfigSchema = z.object({
  TESSERA_SIP_ID: z
    .string()
    .regex(/^\d{20}$/, 'expected a 20-digit GB/T 28181 ID, e.g. 43010000002000000001')
    .default('43010000002000000001'),
  TESSERA_SIP_HOST: z.string().min(1).default('0.0.0.0'),
  TESSERA_SIP_PORT: port.default(5060),
  /** Address devices and peers see us at (Via/Contact/SDP); defaults to the first non-internal IPv4 or 127.0.0.1. */
  TESSERA_SIP_PUBLIC_HOST: z.string().min(1).optional(),
  TESSERA_SIP_PASSWORD: sipPassword,
  /**
   * Digest algorithms a GB/T 28181-2022 device (X-GB-ver 3.x) is challenged with (§9.1 allows SM3 beside MD5):
   * `both` sends an SM3 then an MD5 challenge (RFC 8760 §2.4) and accepts either. 2016 devices always get MD5.
   */
  TESSERA_SIP_DIGEST: z.enum(['md5', 'sm3', 'both']).default('md5'),
  TESSERA_ADMISSION: z.enum(['open', 'whitelist']).default('open'),
  TESSERA_KEEPALIVE_INTERVAL_SEC: positiveInt.default(60),
  TESSERA_KEEPALIVE_COUNT: positiveInt.default(3),
  TESSERA_NONCE_TTL_SEC: positiveInt.default(300),
  TESSERA_AUTH_MAX_FAILURES: positiveInt.default(5),
  TESSERA_AUTH_LOCKOUT_SEC: positiveInt.default(60),
  /** Digest failures from one address, whatever the device ID, per minute before it is turned away. */
  TESSERA_AUTH_MAX_FAILURES_PER_SOURCE: positiveInt.default(20),
  /** Digest failures overall per minute before every address a device is not known at is turned away. */
  TESSERA_AUTH_MAX_FAILURES_GLOBAL: positiveInt.default(200),
  /** Device IDs not yet online one address may bring online per minute (then 503 with Retry-After). */
  TESSERA_NEW_DEVICES_PER_SOURCE_PER_MIN: positiveInt.default(100),
  /** Concurrent SIP TCP connections from one address (a site behind NAT counts once per device). */
  TESSERA_SIP_TCP_MAX_PER_SOURCE: positiveInt.default(64),
  /** Concurrent SIP TCP connections overall; keep it under the process's file descriptor limit. */
  TESSERA_SIP_TCP_MAX_CONNECTIONS: positiveInt.default(10_000),
  /** A TCP connection that holds an incomplete message (or none since it opened) this long is closed. */
  TESSERA_SIP_TCP_INCOMPLETE_TIMEOUT_SEC: positiveInt.default(30),
  TESSERA_CATALOG_TIMEOUT_MS: positiveInt.default(10_000),
  /** The gateway reports keepalives to the platform at most this often per device. */
  TESSERA_KEEPALIVE_REPORT_SEC: positiveInt.default(30),
  TESSERA_SIP_T1_MS: positiveInt.default(500),
  /** Ask each newly registered device for its catalog, identity and a catalog subscription (off: on demand only). */
  TESSERA_INTERROGATE_ON_REGISTER: z.enum(['true', 'false']).default('true'),
  /**
   * Cascade: how long an upper's INVITE waits for the platform to open the relay (`cascade.relay-open`). The platform
   * may INVITE the device and wait for its first frame first, so this sits above TESSERA_PLAY_TIMEOUT_MS.
   */
  TESSERA_CASCADE_RELAY_TIMEOUT_MS: positiveInt.default(15_000),
  /**
   * Gateway replicas on one host share the SIP port (SO_REUSEPORT where Node has it; see Gateway#listen). Each
   * replica then needs REDIS_URL, the same TESSERA_SIP_ID and TESSERA_NONCE_SECRET, and its own TESSERA_NODE_ID.
   */
  TESSERA_SIP_SHARED_PORT: z.enum(['true', 'false']).default('false'),
  /** A replica that has not renewed its lease this long is dead: its devices and upper links are taken over. */
  TESSERA_GATEWAY_LEASE_TTL_SEC: positiveInt.default(10),
  /** Devices' local time for the REGISTER 200 `Date:` header; China Standard Time by default. */
  TESSERA_DEVICE_UTC_OFFSET_MIN: z.coerce.number().int().min(-720).max(840).default(480),
});

export type GatewayEnv = z.infer<typeof GatewayConfigSchema>;

/** TESSERA_SIP_DIGEST: what 2022 devices are challenged with. */
export type DigestAlgorithms = GatewayEnv['TESSERA_SIP_DIGEST'];

export interface GatewayConfig {
  sipId: string;
  realm: string;
  host: string;
  port: number;
  publicHost: string | undefined;
  defaultPassword: string;
  digestAlgorithms: DigestAlgorithms;
  admission: 'open' | 'whitelist';
  keepaliveIntervalSec: number;
  keepaliveCount: number;
  nonceTtlSec: number;
  authMaxFailures: number;
  authLockoutSec: number;
  authMaxFailuresPerSource: number;
  authMaxFailuresGlobal: number;
  newDevicesPerSourcePerMin: number;
  tcpMaxPerSource: number;
  tcpMaxConnections: number;
  tcpIncompleteTimeoutSec: number;
  catalogTimeoutMs: number;
  keepaliveReportSec: number;
  t1Ms: number;
  interrogateOnRegister: boolean;
  deviceUtcOffsetMinutes: number;
  cascadeRelayTimeoutMs: number;
  sharedPort: boolean;
  leaseTtlMs: number;
}

export function loadGatewayConfig(env: Record<string, string | undefined> = process.env): GatewayConfig {
  const e = parseConfig(GatewayConfigSchema, env);
  return {
    sipId: e.TESSERA_SIP_ID,
    realm: e.TESSERA_SIP_ID.substring(0, 10),
    host: e.TESSERA_SIP_HOST,
    port: e.TESSERA_SIP_PORT,
    publicHost: e.TESSERA_SIP_PUBLIC_HOST,
    defaultPassword: e.TESSERA_SIP_PASSWORD,
    digestAlgorithms: e.TESSERA_SIP_DIGEST,
    admission: e.TESSERA_ADMISSION,
    keepaliveIntervalSec: e.TESSERA_KEEPALIVE_INTERVAL_SEC,
    keepaliveCount: e.TESSERA_KEEPALIVE_COUNT,
    nonceTtlSec: e.TESSERA_NONCE_TTL_SEC,
    authMaxFailures: e.TESSERA_AUTH_MAX_FAILURES,
    authLockoutSec: e.TESSERA_AUTH_LOCKOUT_SEC,
    authMaxFailuresPerSource: e.TESSERA_AUTH_MAX_FAILURES_PER_SOURCE,
    authMaxFailuresGlobal: e.TESSERA_AUTH_MAX_FAILURES_GLOBAL,
    newDevicesPerSourcePerMin: e.TESSERA_NEW_DEVICES_PER_SOURCE_PER_MIN,
    tcpMaxPerSource: e.TESSERA_SIP_TCP_MAX_PER_SOURCE,
    tcpMaxConnections: e.TESSERA_SIP_TCP_MAX_CONNECTIONS,
    tcpIncompleteTimeoutSec: e.TESSERA_SIP_TCP_INCOMPLETE_TIMEOUT_SEC,
    catalogTimeoutMs: e.TESSERA_CATALOG_TIMEOUT_MS,
    keepaliveReportSec: e.TESSERA_KEEPALIVE_REPORT_SEC,
    t1Ms: e.TESSERA_SIP_T1_MS,
    interrogateOnRegister: e.TESSERA_INTERROGATE_ON_REGISTER === 'true',
    deviceUtcOffsetMinutes: e.TESSERA_DEVICE_UTC_OFFSET_MIN,
    cascadeRelayTimeoutMs: e.TESSERA_CASCADE_RELAY_TIMEOUT_MS,
    sharedPort: e.TESSERA_SIP_SHARED_PORT === 'true',
    leaseTtlMs: e.TESSERA_GATEWAY_LEASE_TTL_SEC * 1000,
  };
}
