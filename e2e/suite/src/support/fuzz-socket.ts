import WebSocket from 'ws';
import type { ServerFrame } from '@chat/protocol';

export interface FrameSocketClose {
  code: number;
  reason: string;
}

/**
 * A raw WebSocket that records every server frame as parsed JSON, for tests that must put exact
 * bytes on the wire (hostile frames, forged requests) or set upgrade headers such as Origin.
 */
export class FrameSocket {
  readonly frames: ServerFrame[] = [];
  readonly closed: Promise<FrameSocketClose>;
  private readonly socket: WebSocket;
  private readonly waiters = new Set<() => void>();
  private closeInfo: FrameSocketClose | undefined;

  /** `protocols`: subprotocols to offer, e.g. the codec and `chat.auth.<token>` as a browser does. */
  constructor(url: string, { token, origin, headers: extra = {}, protocols = [] }: { token?: string; origin?: string; headers?: Record<string, string>; protocols?: string[] } = {}) {
    const headers: Record<string, string> = { ...extra };
    if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
    if (origin !== undefined) headers['origin'] = origin;
    this.socket = new WebSocket(url, protocols, { headers });
    this.socket.on('message', (data: Buffer) => {
      this.frames.push(JSON.parse(data.toString()) as ServerFrame);
      this.wake();
    });
    // A refused upgrade or a cut connection is followed by 'close', which is what tests look at.
    this.socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => {
      this.socket.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        this.wake();
        resolve(this.closeInfo);
      });
    });
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  get closeCode(): number | undefined {
    return this.closeInfo?.code;
  }

  /** Resolves once open; rejects with the close code if the server closes first. */
  async open(): Promise<void> {
    if (this.isOpen) return;
    await new Promise<void>((resolve, reject) => {
      this.socket.once('open', () => resolve());
      void this.closed.then((close) => reject(new Error(`closed before opening: ${close.code} ${close.reason}`)));
    });
  }

  /** Sends text as is (a text frame), or bytes as a binary frame. */
  send(data: string | Buffer): void {
    this.socket.send(data, { binary: Buffer.isBuffer(data) });
  }

  /** Bytes sent as a text frame, whatever they are (e.g. invalid UTF-8, which ws refuses with 1007). */
  sendRawText(data: Buffer): void {
    this.socket.send(data, { binary: false });
  }

  sendFrame(frame: Record<string, unknown>): void {
    this.send(JSON.stringify(frame));
  }

  /** The first frame from index `from` matching `predicate`; rejects on timeout or when the socket closes first. */
  async waitFor(predicate: (frame: ServerFrame) => boolean, { from = 0, timeoutMs = 20_000 } = {}): Promise<ServerFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.slice(from).find(predicate);
      if (found) return found;
      if (this.closeInfo) throw new Error(`socket closed (${this.closeInfo.code} ${this.closeInfo.reason}) before the frame arrived`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching frame within ${timeoutMs} ms; last frames: ${JSON.stringify(this.frames.slice(-3))}`);
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.waiters.add(wake);
      });
    }
  }

  /** Waits for `pong` to a ping with this id: every frame sent before it has been read by the gateway. */
  async roundTrip(id: string, timeoutMs = 20_000): Promise<number> {
    const from = this.frames.length;
    this.sendFrame({ type: 'ping', id });
    const pong = await this.waitFor((frame) => frame.type === 'pong' && frame.replyTo === id, { from, timeoutMs });
    return this.frames.indexOf(pong);
  }

  close(): void {
    this.socket.close();
  }

  terminate(): void {
    this.socket.terminate();
  }

  private wake(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const waiter of waiters) waiter();
  }
}
