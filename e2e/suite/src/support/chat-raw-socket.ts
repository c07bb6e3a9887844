import WebSocket from 'ws';

export interface RawClose {
  code: number;
  reason: string;
  /** Whether the upgrade succeeded before the close (the gateway refuses after accepting, with a close code). */
  opened: boolean;
}

/**
 * A bare `ws` client, for what the SDK is built to avoid: a bad token, a client that stops
 * answering pings (`autoPong: false`). Nothing is sent on it.
 */
export class RawSocket {
  readonly socket: WebSocket;
  readonly closed: Promise<RawClose>;
  private opened = false;

  constructor(url: string, { token, autoPong = true }: { token?: string; autoPong?: boolean }) {
    this.socket = new WebSocket(url, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` }, autoPong });
    this.socket.on('open', () => (this.opened = true));
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
