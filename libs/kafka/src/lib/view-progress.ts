/** The end of one partition as `admin.fetchTopicOffsets` reports it. */
export interface PartitionEnd {
  topic: string;
  partition: number;
  /** Offset of the next record to be written (the high watermark). */
  high: string;
  /** First offset still in the log. */
  low: string;
}

export interface Lag {
  topic: string;
  partition: number;
  /** Last offset applied to the view, null if none yet. */
  applied: string | null;
  high: string;
}

interface Waiter {
  ends: PartitionEnd[];
  resolve: () => void;
}

/**
 * How far an in-memory view of topics (read from the beginning, never committed: the router's views,
 * the gateway's revoked sessions) has read each partition. A view consumer that never commits starts from the
 * beginning whenever it is recreated; `advance` refuses what was applied already, so such a replay
 * cannot take a view back in time. `lagging`/`waitFor` compare with offsets fetched from the broker:
 * a view has caught up with a moment once it applied every record that existed then.
 */
export class ViewProgress {
  private readonly applied = new Map<string, bigint>();
  private waiters: Waiter[] = [];

  /** Records the offset; false if it was applied before (the record must be skipped). */
  advance(topic: string, partition: number, offset: string): boolean {
    const key = positionKey(topic, partition);
    const value = BigInt(offset);
    const last = this.applied.get(key);
    if (last !== undefined && value <= last) return false;
    this.applied.set(key, value);
    return true;
  }

  lagging(ends: PartitionEnd[]): Lag[] {
    return ends
      .filter((end) => {
        const high = BigInt(end.high);
        if (high <= BigInt(end.low)) return false;
        const last = this.applied.get(positionKey(end.topic, end.partition));
        return last === undefined || last < high - 1n;
      })
      .map((end) => {
        const last = this.applied.get(positionKey(end.topic, end.partition));
        return { topic: end.topic, partition: end.partition, applied: last === undefined ? null : last.toString(), high: end.high };
      });
  }

  reached(ends: PartitionEnd[]): boolean {
    return this.lagging(ends).length === 0;
  }

  /**
   * Resolves once `reached(ends)`. Rejects when `timeoutMs` runs out or the signal aborts first;
   * either way nothing stays attached to the signal.
   */
  waitFor(ends: PartitionEnd[], options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<void> {
    if (this.reached(ends)) return Promise.resolve();
    const { signal, timeoutMs } = options;
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const settle = (error?: Error) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.waiters = this.waiters.filter((w) => w !== waiter);
        if (error) reject(error);
        else resolve();
      };
      const onAbort = () => settle(signal?.reason instanceof Error ? signal.reason : new Error('wait aborted'));
      const waiter: Waiter = { ends, resolve: () => settle() };
      if (signal?.aborted) return onAbort();
      this.waiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (timeoutMs !== undefined) timer = setTimeout(() => settle(new Error(`view did not catch up within ${timeoutMs} ms`)), timeoutMs);
    });
  }

  /** Wakes the waiters whose targets were reached; call after applying a batch. */
  notify(): void {
    if (this.waiters.length === 0) return;
    for (const waiter of this.waiters.filter((w) => this.reached(w.ends))) waiter.resolve();
  }
}

function positionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
