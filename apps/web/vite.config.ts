import { defineConfig } from 'vite';

/*
 * The web client: a static single-page app (Preact + the browser-safe @chat/client-sdk) built to
 * dist/apps/web. Nx infers its `build` (vite build), `dev` and `preview` targets from this file
 * (@nx/vite/plugin in nx.json). It talks to the suite on its own origin: `/auth/*` (auth's REST API)
 * and `/ws` (the gateway's WebSocket), which whatever serves it routes there (tools/local-infra's
 * web server for `npm start` and the e2e suite, an ingress in production; docs/deploy.md).
 *
 * `npx nx run web:dev` serves the sources with hot reload and proxies those two paths to a running
 * `npm start` (AUTH_URL / GATEWAY_URL override the default local ports).
 */
const authUrl = process.env['AUTH_URL'] ?? 'http://127.0.0.1:3001';
const gatewayUrl = process.env['GATEWAY_URL'] ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: __dirname,
  base: '/',
  // The workspace aliases (@chat/client-sdk, @chat/wire) from tsconfig.base.json.
  resolve: { tsconfigPaths: true },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: '../../dist/apps/web',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    reportCompressedSize: true,
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: {
      '/auth': { target: authUrl, changeOrigin: false },
      '/ws': { target: gatewayUrl, ws: true, changeOrigin: false },
    },
  },
});
