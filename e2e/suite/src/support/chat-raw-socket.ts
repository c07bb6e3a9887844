import WebSocket from 'ws';

/** An upgrade the gateway answered with an HTTP status instead of 101 (an unsupported subprotocol). */
export interface HttpRefusal {
  status: number | undefined;
  body: string;
}

export interface RawClose {
  code: number;
  reason: string;
  /** Whether the upgrade succeeded before the close (the gateway refuses after accepting, with a close code). */
  opened: boolean;
}

/**
 * A bare `ws` client, for what the SDK is built to avoid: a bad token, a client that stops
 * answering pings (`autoPong: false`), subprotocols the gateway does not speak. Nothing is sent on it.
 */
export class RawSocket {
  readonly socket: WebSocket;
  readonly closed: Promise<RawClose>;
  /** Resolves when the upgrade was answered with an HTTP status other than 101 (then `closed` follows with 1006). */
  readonly refused: Promise<HttpRefusal>;
  private opened = false;

  constructor(url: string, { token, autoPong = true, subprotocols = [] }: { token?: string; autoPong?: boolean; subprotocols?: string[] }) {
    this.socket = new WebSocket(url, subprotocols, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` }, autoPong });
    this.socket.on('open', () => (this.opened = true));
    this.refused = new Promise((resolve) => {
      // With a listener here ws leaves the response to us: read it, then end the attempt.
      this.socket.on('unexpected-response', (_request, response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => {
          resolve({ status: response.statusCode, body });
          this.socket.terminate();
        });
      });
    });
    // Errors (e.g. a refused upgrade) are followed by 'close'; the close code is what tests look at.
    this.socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => {
      this.socket.on('close', (code, reason) => resolve({ code, reason: reason.toString(), opened: this.opened }));
    });
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Resolves once open; rejects if the socket closes first. */
  async open(): Promise<void> {
    if (this.opened) return;
    await new Promise<void>((resolve, reject) => {
      this.socket.once('open', () => resolve());
      void this.closed.then((close) => reject(new Error(`closed before opening: ${close.code} ${close.reason}`)));
    });
  }

  terminate(): void {
    this.socket.terminate();
  }
}
