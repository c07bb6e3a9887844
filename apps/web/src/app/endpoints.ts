/*
 * The suite is reached on the page's own origin: `/auth/*` is auth's REST API and `/ws` the gateway's
 * WebSocket, routed there by whatever serves this app (tools/local-infra's web server, the Vite dev
 * server, an ingress). Same origin: no CORS, and cookies-free bearer tokens only.
 */
export const endpoints = {
  auth: window.location.origin,
  ws: `${window.location.protocol === 'https:' ? 'wss:' : 'ws:'}//${window.location.host}/ws`,
};
