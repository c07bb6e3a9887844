import { randomFillSync } from 'node:crypto';

/** Random bytes for 256 trace ids, drawn from the system in one call instead of one call per id. */
const pool = Buffer.alloc(16 * 256);
let poolOffset = pool.length;

/** W3C trace-context sized id (16 random bytes, hex), created at the edge and carried everywhere. */
export function newTraceId(): string {
  if (poolOffset === pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const id = pool.toString('hex', poolOffset, poolOffset + 16);
  poolOffset += 16;
  return id;
}

export const TRACE_ID_PATTERN = /^[0-9a-f]{32}$/;
