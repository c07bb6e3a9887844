import { AsyncLocalStorage } from 'node:async_hooks';

export interface TraceContext {
  traceId: string;
}

const storage = new AsyncLocalStorage<TraceContext>();

/** Runs `fn` with a trace id that every log line written inside it (and its awaits) carries. */
export function runWithTrace<T>(traceId: string, fn: () => T): T {
  return storage.run({ traceId }, fn);
}

export function currentTraceId(): string | undefined {
  return storage.getStore()?.traceId;
}
