import http from 'node:http';

/**
 * GET /readyz of a service: its HTTP status, or undefined when nothing answers in time. `target` is
 * a port on 127.0.0.1 or a base URL (`http://host:port`). No keep-alive, so polling leaves no idle
 * connections that would delay the service's shutdown. The one readiness probe of the workspace's
 * launchers and harnesses.
 */
export function readyzStatus(target: number | string, timeoutMs = 2_000): Promise<number | undefined> {
  const base = typeof target === 'number' ? `http://127.0.0.1:${target}` : target.replace(/\/+$/, '');
  return new Promise((resolve) => {
    const request = http.get(`${base}/readyz`, { agent: false, timeout: timeoutMs, headers: { connection: 'close' } }, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    request.once('timeout', () => request.destroy());
    request.once('error', () => resolve(undefined));
  });
}
