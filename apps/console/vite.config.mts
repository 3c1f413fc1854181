import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * The staff console's build: React's automatic JSX runtime through Vite's own transform (no
 * plugin). `npm start` builds it when dist/apps/console is missing or older than the sources
 * (build-if-stale.cjs); `vite --config apps/console/vite.config.mts` serves it with the API
 * of a running `npm start` proxied.
 */
export default defineConfig({
  root: here,
  base: '/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: process.env.RAPPORT_CONSOLE_OUT_DIR ?? `${here}/../../dist/apps/console`,
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 600,
    rolldownOptions: {
      // React Query marks modules "use client" for server components: meaningless in a bundle.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  server: {
    port: 5173,
    proxy: Object.fromEntries(
      ['/v1', '/docs', '/health', '/console-config.json'].map((path) => [
        path,
        process.env.RAPPORT_API_URL ?? 'http://127.0.0.1:3000',
      ]),
    ),
  },
});
