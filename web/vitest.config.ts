import { defineProject } from 'vitest/config';

// Unit tests of the console's pure modules (API client, stores, style, search): node, no browser.
export default defineProject({
  test: { name: 'web', include: ['test/**/*.test.ts'], environment: 'node', testTimeout: 30_000 },
});
