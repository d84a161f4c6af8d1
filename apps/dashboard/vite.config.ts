import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The control plane serves the built app at `/` (SPA fallback; API calls are same-origin);
// `pnpm dev` proxies the API and the stream to a control plane (FORKYARD_CONTROL).
const control = process.env.FORKYARD_CONTROL ?? 'http://127.0.0.1:7070';

export default defineConfig({
  plugins: [react()],
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1200 },
  server: {
    proxy: {
      '/api/v1/stream': { target: control.replace(/^http/, 'ws'), ws: true },
      '/api': control,
    },
  },
});
