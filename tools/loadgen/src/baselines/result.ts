import { sleep } from '@chat/helpers';
import type { LatencySummary } from '../report/latency';

/** One baseline run: what the raw building block does on this machine, for the suite's figures to be read against. */
export interface BaselineResult {
  name: 'kafka-round-trip' | 'ws-echo';
  messages: number;
  /** From the first message sent to the last one received. */
  durationMs: number;
  messagesPerSecond: number;
  latencyMs: LatencySummary;
  settings: Record<string, string | number>;
}

/** Waits until `done()` holds, checking every 10 ms; rejects with `describe()` after `timeoutMs`. */
export async function waitUntil(done: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(describe());
    await sleep(10);
  }
}

export function throughput(messages: number, durationMs: number): number {
  return durationMs > 0 ? Math.round((messages * 1000) / durationMs) : 0;
}
