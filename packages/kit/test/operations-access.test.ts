import { describe, expect, it } from 'vitest';
import { isLoopbackAddress, MetricsAccess } from '../src/operations-access';

describe('who may read /metrics', () => {
  it('loopback means 127.0.0.0/8 and ::1, also as an IPv4 peer of a dual-stack socket', () => {
    for (const address of ['127.0.0.1', '127.3.2.1', '::1', '::ffff:127.0.0.1']) {
      expect(isLoopbackAddress(address)).toBe(true);
    }
    for (const address of ['192.0.2.7', '10.0.0.1', '::ffff:192.0.2.7', 'fd00::2', '127.0.0.1.example', '']) {
      expect(isLoopbackAddress(address)).toBe(false);
    }
  });

  it('by default only a client on this host reads it; a peer elsewhere is forbidden', () => {
    const access = new MetricsAccess({ access: 'loopback', token: null });
    expect(access.decide('127.0.0.1', undefined)).toBe('allow');
    expect(access.decide('192.0.2.7', undefined)).toBe('forbidden');
    expect(access.decide(undefined, undefined)).toBe('forbidden');
  });

  it('the scrape token opens it from anywhere, whatever the setting; a wrong token opens nothing', () => {
    const token = 'scrape-token-0123456789';
    for (const setting of ['loopback', 'off'] as const) {
      const access = new MetricsAccess({ access: setting, token });
      expect(access.decide('192.0.2.7', `Bearer ${token}`)).toBe('allow');
      expect(access.decide('192.0.2.7', 'Bearer scrape-token-0123456788')).toBe(
        setting === 'off' ? 'off' : 'forbidden',
      );
      expect(access.decide('192.0.2.7', token)).toBe(setting === 'off' ? 'off' : 'forbidden');
    }
    expect(new MetricsAccess({ access: 'loopback', token: null }).decide('192.0.2.7', 'Bearer ')).toBe(
      'forbidden',
    );
  });

  it('public opens it to everyone and off to nobody without the token', () => {
    expect(new MetricsAccess({ access: 'public', token: null }).decide('192.0.2.7', undefined)).toBe('allow');
    expect(new MetricsAccess({ access: 'off', token: null }).decide('127.0.0.1', undefined)).toBe('off');
  });
});
