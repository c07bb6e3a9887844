/**
 * What of an unexpected error is safe to log: name, message, stack and a driver code. Not the whole
 * object: a database error carries the query's parameters, which may hold a password hash.
 */
export function errorDetails(error: unknown): { type: string; message: string; code?: string; stack?: string } {
  if (!(error instanceof Error)) return { type: typeof error, message: String(error) };
  const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  return { type: error.name, message: error.message, ...(code ? { code } : {}), stack: error.stack };
}
