import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'gb28181', include: ['test/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 60_000 },
});
