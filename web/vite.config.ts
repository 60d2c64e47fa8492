import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The platform serves the built console at `/`; in `vite dev` the API is proxied to a local platform.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    target: 'es2022',
    // maplibre-gl alone is ~1.1 MB minified: its own chunk, cached across console releases.
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      // zod 4 writes explanations next to its @__PURE__ marks, which Rollup reports and drops: noise, not a fault.
      onwarn(warning, warn) {
        if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('/node_modules/.pnpm/zod@')) return;
        warn(warning);
      },
      output: {
        manualChunks(id) {
          if (id.includes('/node_modules/maplibre-gl/')) return 'maplibre';
          if (id.includes('/node_modules/react') || id.includes('/node_modules/scheduler/')) return 'react';
          // The API's schemas (@tessera/contracts/api) are zod 4 objects: zod changes with neither the console nor them.
          if (id.includes('/node_modules/zod/')) return 'zod';
          return undefined;
        },
      },
    },
  },
  server: {
    proxy: { '/api': process.env.TESSERA_API_URL ?? 'http://127.0.0.1:8080' },
  },
});
