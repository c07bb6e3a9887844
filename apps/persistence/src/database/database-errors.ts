import { PermanentError, TransientError } from '@chat/kafka';

/**
 * SQLSTATE classes and codes that say "the database is unavailable or busy right now", not "this
 * statement is wrong": connection exceptions (08), insufficient resources (53), operator
 * intervention such as a shutdown or restart (57P01-57P03), and conflicts between concurrent
 * transactions that succeed when simply run again (40001 serialization, 40P01 deadlock, 55P03 lock).
 */
const TRANSIENT_SQLSTATE_CLASSES = ['08', '53'];
const TRANSIENT_SQLSTATES = new Set(['57P01', '57P02', '57P03', '40001', '40P01', '55P03']);
/** Socket-level failures reported by node-postgres before any SQLSTATE exists. */
const TRANSIENT_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** node-postgres and TypeORM say these in words only. */
const TRANSIENT_MESSAGES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /connection (?:is )?(?:closed|ended)/i,
  /client has encountered a connection error/i,
  /cannot use a pool after calling end/i,
  /driver not connected/i,
];

/**
 * SQLSTATE class 22 (data exception: a value PostgreSQL cannot store, e.g. a NUL character or an
 * unpaired surrogate in JSON): the record itself can never be stored, so retrying only stalls its
 * partition. Dead-letter it at once.
 */
const PERMANENT_SQLSTATE_CLASSES = ['22'];

function codeOf(error: object): string | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** True when retrying later can succeed without anything changing in the record being handled. */
export function isTransientDatabaseError(error: unknown): boolean {
  const seen = new Set<unknown>();
  // TypeORM wraps the driver's error (QueryFailedError.driverError); Node wraps causes in `cause`.
  for (let current: unknown = error; typeof current === 'object' && current !== null && !seen.has(current); ) {
    seen.add(current);
    const code = codeOf(current);
    if (code !== undefined) {
      if (TRANSIENT_SQLSTATES.has(code) || TRANSIENT_NODE_CODES.has(code)) return true;
      if (/^[0-9A-Z]{5}$/.test(code) && TRANSIENT_SQLSTATE_CLASSES.includes(code.slice(0, 2))) return true;
    }
    const message = current instanceof Error ? current.message : '';
    if (TRANSIENT_MESSAGES.some((pattern) => pattern.test(message))) return true;
    const next = current as { driverError?: unknown; cause?: unknown };
    current = next.driverError ?? next.cause;
  }
  return false;
}

/** True when the failing statement was refused for the data it carried (see PERMANENT_SQLSTATE_CLASSES). */
export function isDataDatabaseError(error: unknown): boolean {
  const seen = new Set<unknown>();
  for (let current: unknown = error; typeof current === 'object' && current !== null && !seen.has(current); ) {
    seen.add(current);
    const code = codeOf(current);
    if (code !== undefined && /^[0-9A-Z]{5}$/.test(code) && PERMANENT_SQLSTATE_CLASSES.includes(code.slice(0, 2))) return true;
    const next = current as { driverError?: unknown; cause?: unknown };
    current = next.driverError ?? next.cause;
  }
  return false;
}

/**
 * Makes a database outage a TransientError (the consumer retries the batch instead of dead-lettering
 * it) and a data exception a PermanentError (the consumer isolates and dead-letters the record).
 */
export function classifyDatabaseError(error: unknown): unknown {
  if (error instanceof TransientError || error instanceof PermanentError) return error;
  if (isDataDatabaseError(error)) {
    return new PermanentError(`database refused the data: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (!isTransientDatabaseError(error)) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new TransientError(`database unavailable: ${detail}`, { cause: error });
}
