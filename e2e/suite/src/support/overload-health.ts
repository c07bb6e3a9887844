import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { readyzStatus, type ServiceProcess } from '@chat/local-infra';

/*
 * What the overload and poison-record tests look at from outside a service: whether it still
 * answers /readyz, whether its process is still alive, and one figure of its /metrics.
 */

/** GET /readyz's status, or undefined when the service does not answer at all. */
export function readiness(service: ServiceProcess): Promise<number | undefined> {
  return readyzStatus(service.httpPort, 5000);
}

/** Whether the process has exited (for whatever reason) by now. */
export async function hasExited(service: ServiceProcess): Promise<boolean> {
  return Promise.race([service.exited.then(() => true), new Promise<boolean>((resolve) => setImmediate(() => resolve(false)))]);
}

/** Liveness and readiness of each service, keyed by name, e.g. `{ gateway: { exited: false, ready: 200 } }`. */
export async function healthOf(services: Record<string, ServiceProcess>): Promise<Record<string, { exited: boolean; ready: number | undefined }>> {
  const entries = await Promise.all(
    Object.entries(services).map(async ([name, service]) => [name, { exited: await hasExited(service), ready: await readiness(service) }] as const),
  );
  return Object.fromEntries(entries);
}

/**
 * The value of a metric without labels of its own (e.g. the `chat_connections` gauge) on the
 * service's /metrics; every series carries the default `service` and `instance` labels.
 */
export async function metricValue(service: ServiceProcess, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${service.httpPort}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}{`) || candidate.startsWith(`${name} `));
  if (line === undefined) throw new Error(`${name} is not on /metrics`);
  return Number(line.slice(line.lastIndexOf(' ') + 1));
}

/**
 * A WebSocket whose owner stops reading: once paused, the client's kernel receive buffer fills,
 * then the server's send buffer, and the gateway's per-socket backlog grows with every frame it
 * is sent. Resuming lets the client see how the gateway ended the connection.
 */
export class StalledReader {
  readonly closed: Promise<{ code: number }>;
  private readonly socket: WebSocket;

  constructor(url: string, token: string) {
    this.socket = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
    // A cut connection (1006) is followed by 'close', which is what the test looks at.
    this.socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => this.socket.on('close', (code) => resolve({ code })));
  }

  async open(): Promise<void> {
    if (this.socket.readyState === WebSocket.OPEN) return;
    await new Promise<void>((resolve, reject) => {
      this.socket.once('open', () => resolve());
      void this.closed.then(({ code }) => reject(new Error(`closed before opening: ${code}`)));
    });
  }

  /** Stops reading the TCP socket (ws keeps its socket in the undocumented `_socket`). */
  stopReading(): void {
    this.tcp().pause();
  }

  resumeReading(): void {
    this.tcp().resume();
  }

  terminate(): void {
    this.socket.terminate();
  }

  private tcp(): Socket {
    const tcp = (this.socket as unknown as { _socket?: Socket })._socket;
    if (!tcp) throw new Error('the WebSocket has no TCP socket (not open yet, or already closed)');
    return tcp;
  }
}
