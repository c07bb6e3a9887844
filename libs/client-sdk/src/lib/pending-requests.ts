import type { ClientFrameType, ServerFrame, ServerFrameOf, ServerFrameType } from '@chat/wire';
import { ChatRequestError, RequestTimeoutError } from './errors';

export interface RequestSpec<A extends ServerFrameType> {
  id: string;
  type: ClientFrameType;
  /** Frame types that answer it (with `replyTo` = id); an `error` frame always rejects it. */
  answers: readonly A[];
  timeoutMs: number;
}

interface Entry {
  spec: { type: ClientFrameType; answers: readonly ServerFrameType[] };
  resolve(frame: ServerFrame): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

/** Requests waiting for their answer, matched by `replyTo`, each with its own deadline. */
export class PendingRequests {
  private readonly entries = new Map<string, Entry>();

  get size(): number {
    return this.entries.size;
  }

  add<A extends ServerFrameType>(spec: RequestSpec<A>): Promise<ServerFrameOf<A>> {
    if (this.entries.has(spec.id)) throw new Error(`request id ${spec.id} is already pending`);
    return new Promise<ServerFrameOf<A>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.entries.delete(spec.id);
        reject(new RequestTimeoutError(spec.type, spec.timeoutMs));
      }, spec.timeoutMs);
      this.entries.set(spec.id, {
        spec,
        resolve: resolve as (frame: ServerFrame) => void,
        reject,
        timer,
      });
    });
  }

  /** Settles the request `frame` answers, if any (matched by `replyTo`); true when it did. */
  settle(frame: ServerFrame): boolean {
    const replyTo = 'replyTo' in frame ? frame.replyTo : undefined;
    if (replyTo === undefined) return false;
    const entry = this.take(replyTo);
    if (!entry) return false;
    if (frame.type === 'error') entry.reject(new ChatRequestError(frame.code, frame.message, entry.spec.type, replyTo));
    else if (entry.spec.answers.includes(frame.type)) entry.resolve(frame);
    else entry.reject(new Error(`${entry.spec.type}: unexpected answer of type ${frame.type}`));
    return true;
  }

  /** Rejects one request (e.g. its frame could not be written). */
  fail(id: string, error: Error): void {
    this.take(id)?.reject(error);
  }

  rejectAll(error: Error): void {
    for (const id of [...this.entries.keys()]) this.take(id)?.reject(error);
  }

  private take(id: string): Entry | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    this.entries.delete(id);
    clearTimeout(entry.timer);
    return entry;
  }
}
