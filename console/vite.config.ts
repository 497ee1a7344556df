// Built with `npm run build:console` (vite build console): this folder is the root, the output goes to
// console/dist, which `mailroom start` serves at /. During development, `npx vite console` serves the app
// with hot reload and forwards /api to a Mailroom running on port 8025.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // One file per hashed asset name; the server caches /assets/* forever.
    assetsDir: 'assets',
    sourcemap: true,
    chunkSizeWarningLimit: 900,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8025' } },
});
