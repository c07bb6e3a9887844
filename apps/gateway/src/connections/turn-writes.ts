import type { Writable } from 'node:stream';

/**
 * Frames written to a socket within one event-loop turn leave in one `writev` when the turn ends:
 * the socket is corked at its first frame of the turn and uncorked by one `setImmediate` for all of
 * them. A delivery batch that puts several frames on a socket (a busy group, a sync's answers, the
 * echo and the message of a burst) then costs one system call per socket instead of one per frame.
 * Corked bytes count in the socket's buffered amount, so the slow-consumer limit still sees them.
 */
export class TurnWrites {
  private readonly corked = new Set<Writable>();
  private flushScheduled = false;

  /** Corks `transport` until the end of this turn, if it is not corked already. */
  hold(transport: Writable): void {
    if (this.corked.has(transport)) return;
    transport.cork();
    this.corked.add(transport);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Uncorks every socket held this turn (each writes what it gathered in one system call). */
  flush(): void {
    this.flushScheduled = false;
    for (const transport of this.corked) if (!transport.destroyed) transport.uncork();
    this.corked.clear();
  }
}

/** The one instance of the process: every connection's writes end with the same turn. */
export const turnWrites = new TurnWrites();
