import { defineConfig } from 'vitest/config';

// One runner for every package; each folder below is a vitest project with its own config or defaults.
export default defineConfig({
  test: {
    projects: ['packages/*', 'gateway', 'media-server', 'platform', 'ops', 'web'],
  },
});
