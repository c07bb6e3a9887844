import { randomBytes } from 'node:crypto';

/** W3C trace-context sized id (16 random bytes, hex), created at the edge and carried everywhere. */
export function newTraceId(): string {
  return randomBytes(16).toString('hex');
}

export const TRACE_ID_PATTERN = /^[0-9a-f]{32}$/;
