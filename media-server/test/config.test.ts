import { ConfigError } from '@tessera/kit';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TOKEN_SECRET, loadMediaServerConfig } from '../src/config';

describe('media server configuration', () => {
  it('has the documented defaults', () => {
    const config = loadMediaServerConfig({});
    expect(config).toMatchObject({
      host: '0.0.0.0',
      rtpPorts: { min: 30000, max: 30999 },
      httpPort: 8081,
      mediaTimeoutMs: 10_000,
      tokenSecret: DEFAULT_TOKEN_SECRET,
      tokenSecretIsDefault: true,
      singlePort: undefined,
      webrtcPorts: undefined,
      publicUrl: undefined,
      playGraceMs: 30_000,
      streamLeaseTtlMs: 5_000,
    });
    expect(config.publicHost).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  });

  it('reads every variable; an empty one is unset', () => {
    expect(
      loadMediaServerConfig({
        TESSERA_MEDIA_HOST: '10.1.2.3',
        TESSERA_MEDIA_RTP_PORTS: '40000 - 40099',
        TESSERA_MEDIA_HTTP_PORT: '0',
        TESSERA_MEDIA_TIMEOUT_MS: '5000',
        TESSERA_MEDIA_TOKEN_SECRET: 'a-secret-of-enough-length',
        TESSERA_MEDIA_SINGLE_PORT: '',
        TESSERA_MEDIA_WEBRTC_PORTS: '50000-50100',
        TESSERA_MEDIA_PUBLIC_URL: 'https://media.example.org/',
        TESSERA_PLAY_GRACE_MS: '0',
        TESSERA_STREAM_LEASE_TTL_MS: '2000',
      }),
    ).toEqual({
      host: '10.1.2.3',
      publicHost: '10.1.2.3',
      rtpPorts: { min: 40000, max: 40099 },
      httpPort: 0,
      mediaTimeoutMs: 5000,
      tokenSecret: 'a-secret-of-enough-length',
      tokenSecretIsDefault: false,
      singlePort: undefined,
      webrtcPorts: { min: 50000, max: 50100 },
      publicUrl: 'https://media.example.org',
      playGraceMs: 0,
      streamLeaseTtlMs: 2000,
    });
    expect(
      loadMediaServerConfig({ TESSERA_MEDIA_PUBLIC_HOST: '127.0.0.1', TESSERA_MEDIA_SINGLE_PORT: '30000' }),
    ).toMatchObject({ publicHost: '127.0.0.1', singlePort: 30000 });
  });

  it('names the variable and the problem', () => {
    const message = (env: Record<string, string>) => {
      try {
        loadMediaServerConfig(env);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as ConfigError).issues;
      }
      return [];
    };
    expect(message({ TESSERA_MEDIA_RTP_PORTS: '31000-30000' })).toEqual([
      'TESSERA_MEDIA_RTP_PORTS: expected a port range like 30000-30999 (first ≤ last, 1–65535)',
    ]);
    expect(message({ TESSERA_MEDIA_HTTP_PORT: 'http' })).toEqual([
      'TESSERA_MEDIA_HTTP_PORT: expected a port number 0–65535',
    ]);
    expect(message({ TESSERA_MEDIA_TOKEN_SECRET: 'short' })).toEqual([
      'TESSERA_MEDIA_TOKEN_SECRET: must be at least 16 characters',
    ]);
    expect(message({ TESSERA_MEDIA_SINGLE_PORT: '0' })).toEqual([
      'TESSERA_MEDIA_SINGLE_PORT: expected a port number 1–65535',
    ]);
  });
});
