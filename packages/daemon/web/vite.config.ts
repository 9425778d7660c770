import { defineConfig } from 'vite';

/**
 * Builds the dashboard into packages/daemon/dist-web, which the daemon serves
 * (src/dashboard-http.ts). Run from packages/daemon: `vite build web`.
 * `SYNCLINE_API_PORT=8384 vite web` serves it for development, proxying /api to that daemon.
 */
export default defineConfig({
  base: '/',
  build: {
    outDir: '../dist-web',
    emptyOutDir: true,
    target: 'es2022',
    // No inline scripts or data: URLs: the daemon's Content-Security-Policy allows only 'self'.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
    reportCompressedSize: false,
  },
  server: {
    host: '127.0.0.1',
    proxy: process.env.SYNCLINE_API_PORT ? { '/api': { target: `ws://127.0.0.1:${process.env.SYNCLINE_API_PORT}`, ws: true } } : {},
  },
});
