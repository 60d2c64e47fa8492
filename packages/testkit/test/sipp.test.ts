import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, percentile, runSipp } from '../src';

/** Third-party scenarios kept in the repository; see test/fixtures/README.md for where they come from. */
const sippDir = resolve(__dirname, 'fixtures/sipp');

describe('SIPp harness', () => {
  it('its third-party scenarios match their recorded SHA-256', () => {
    const sums = readFileSync(join(sippDir, 'SHA256SUMS'), 'latin1').trim().split('\n');
    expect(sums).toHaveLength(2);
    for (const line of sums) {
      const [sum, name] = line.split(/\s+/);
      expect(
        createHash('sha256')
          .update(readFileSync(join(sippDir, name!)))
          .digest('hex'),
        name,
      ).toBe(sum);
    }
  });

  it('runs the third-party device and platform scenarios against each other', async () => {
    const port = await freePort();
    const uas = runSipp({ scenario: `${sippDir}/platform_401_then_200.xml`, localPort: port, calls: 1 });
    // SIPp's UAS binds synchronously at start; the UAC retransmits (retrans=500) if it races ahead.
    const uac = await runSipp({
      scenario: `${sippDir}/device_register_digest.xml`,
      remote: `127.0.0.1:${port}`,
      localPort: await freePort(),
      calls: 1,
    });
    const server = await uas;
    expect(uac.exitCode).toBe(0);
    expect(server.exitCode).toBe(0);
    expect(uac.stats['SuccessfulCall(C)']).toBe('1');
  });

  it('computes percentiles', () => {
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99)).toBe(10);
  });
});
