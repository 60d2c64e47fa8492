import { networkInterfaces } from 'node:os';
import { parseConfig } from '@tessera/kit';
import { z } from 'zod';

const PORT_MESSAGE = 'expected a port number 0–65535';
const RANGE_MESSAGE = 'expected a port range like 30000-30999 (first ≤ last, 1–65535)';

const port = z.coerce
  .number({ error: PORT_MESSAGE })
  .int(PORT_MESSAGE)
  .min(0, PORT_MESSAGE)
  .max(65535, PORT_MESSAGE);

export interface PortRange {
  readonly min: number;
  readonly max: number;
}

const portRange = z.string().transform((text, ctx): PortRange => {
  const match = /^\s*(\d{1,5})\s*-\s*(\d{1,5})\s*$/.exec(text);
  const min = Number(match?.[1]);
  const max = Number(match?.[2]);
  if (!match || min < 1 || max > 65535 || min > max) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: RANGE_MESSAGE });
    return z.NEVER;
  }
  return { min, max };
});

/** An unset or empty variable is absent (compose files and Helm often render `VAR=`). */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

export const DEFAULT_TOKEN_SECRET = 'tessera-development-viewer-token-secret';

export const MediaServerEnvSchema = z.object({
  /** Bind address of every socket (RTP, WHEP, WebRTC). */
  TESSERA_MEDIA_HOST: z.string().min(1).default('0.0.0.0'),
  /** Address devices and browsers are told (SDP c= for devices, ICE host candidate for browsers). */
  TESSERA_MEDIA_PUBLIC_HOST: optional(z.string().min(1)),
  /** Ports for RTP ingest (one per UDP / TCP-passive ingest). */
  TESSERA_MEDIA_RTP_PORTS: portRange.prefault('30000-30999'),
  /** WHEP HTTP port; 0 = any free port. */
  TESSERA_MEDIA_HTTP_PORT: port.default(8081),
  /** No RTP for this long ends an ingest (reason media-timeout; the owning stream ends). */
  TESSERA_MEDIA_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** HMAC key of viewer tokens, shared with the platform that issues them. */
  TESSERA_MEDIA_TOKEN_SECRET: optional(z.string().min(16, 'must be at least 16 characters')),
  /** One UDP port for every UDP ingest, streams told apart by SSRC. */
  TESSERA_MEDIA_SINGLE_PORT: optional(port.min(1, 'expected a port number 1–65535')),
  /** Local UDP ports for WebRTC viewers (ICE host candidates); unset = any free port. */
  TESSERA_MEDIA_WEBRTC_PORTS: optional(portRange),
  /**
   * The WHEP base URL browsers are sent to (this server's, as they reach it: a proxy, TLS…); unset =
   * `http://<public host>:<HTTP port>`. The platform hands it out with each play answer, never guessing it.
   */
  TESSERA_MEDIA_PUBLIC_URL: optional(z.string().url('expected a URL like https://media.example.org')),
  /** The last reader of a stream left: the upstream (the camera's call) stays this long for the next one. */
  TESSERA_PLAY_GRACE_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  /** Time to live of a stream's ownership lease; renewed at 30 % of it. A dead owner's streams move after it. */
  TESSERA_STREAM_LEASE_TTL_MS: z.coerce.number().int().min(1_000).max(60_000).default(5_000),
});

export type MediaServerEnv = z.infer<typeof MediaServerEnvSchema>;

export interface MediaServerConfig {
  host: string;
  publicHost: string;
  rtpPorts: PortRange;
  httpPort: number;
  mediaTimeoutMs: number;
  tokenSecret: string;
  /** True when no secret was configured and the development default is in use (logged at start). */
  tokenSecretIsDefault: boolean;
  singlePort: number | undefined;
  webrtcPorts: PortRange | undefined;
  /** Unset: derived from the public host and the HTTP port once it listens (`MediaServer.publicUrl`). */
  publicUrl: string | undefined;
  playGraceMs: number;
  streamLeaseTtlMs: number;
}

export function loadMediaServerConfig(
  env: Record<string, string | undefined> = process.env,
): MediaServerConfig {
  const e = parseConfig(MediaServerEnvSchema, env);
  return {
    host: e.TESSERA_MEDIA_HOST,
    publicHost: e.TESSERA_MEDIA_PUBLIC_HOST ?? defaultPublicHost(e.TESSERA_MEDIA_HOST),
    rtpPorts: e.TESSERA_MEDIA_RTP_PORTS,
    httpPort: e.TESSERA_MEDIA_HTTP_PORT,
    mediaTimeoutMs: e.TESSERA_MEDIA_TIMEOUT_MS,
    tokenSecret: e.TESSERA_MEDIA_TOKEN_SECRET ?? DEFAULT_TOKEN_SECRET,
    tokenSecretIsDefault: e.TESSERA_MEDIA_TOKEN_SECRET === undefined,
    singlePort: e.TESSERA_MEDIA_SINGLE_PORT,
    webrtcPorts: e.TESSERA_MEDIA_WEBRTC_PORTS,
    publicUrl: e.TESSERA_MEDIA_PUBLIC_URL?.replace(/\/+$/, ''),
    playGraceMs: e.TESSERA_PLAY_GRACE_MS,
    streamLeaseTtlMs: e.TESSERA_STREAM_LEASE_TTL_MS,
  };
}

/** The bind address when it is a real one, else the first non-internal IPv4, else loopback. */
export function defaultPublicHost(host: string): string {
  if (host !== '0.0.0.0' && host !== '::') return host;
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.family === 'IPv4' && !address.internal) return address.address;
    }
  }
  return '127.0.0.1';
}
