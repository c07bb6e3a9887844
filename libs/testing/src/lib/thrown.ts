/** A class of errors, abstract or not, whatever its constructor takes. */
export type ErrorClass<E> = abstract new (...args: never[]) => E;

/**
 * Runs `fn`, which must throw an instance of `errorClass`, and returns that error, typed, so a test
 * can assert on its fields. Fails with a clear message when nothing is thrown, something else is
 * thrown (kept as `cause`), or `fn` returned a promise (use `rejectionOf`).
 */
export function thrownBy<E>(fn: () => unknown, errorClass: ErrorClass<E>): E {
  let result: unknown;
  try {
    result = fn();
  } catch (error) {
    return expectInstance(error, errorClass, `${errorClass.name} to be thrown`, 'threw');
  }
  if (isThenable(result)) {
    // The promise is ours to settle quietly: the test fails here, not with an unhandled rejection.
    Promise.resolve(result).catch(() => undefined);
    throw new Error(`expected ${errorClass.name} to be thrown, but the function returned a promise: use rejectionOf`);
  }
  throw new Error(`expected ${errorClass.name} to be thrown, but nothing was thrown (returned ${show(result)})`);
}

/**
 * Awaits `promise` (or the promise `fn` returns), which must reject with an instance of
 * `errorClass`, and returns that error, typed. Fails with a clear message when it resolves or
 * rejects with something else (kept as `cause`). A function that throws synchronously counts as
 * rejecting, as it would in an `async` function.
 */
export async function rejectionOf<E>(promise: PromiseLike<unknown> | (() => PromiseLike<unknown>), errorClass: ErrorClass<E>): Promise<E> {
  let value: unknown;
  try {
    value = await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    return expectInstance(error, errorClass, `a rejection with ${errorClass.name}`, 'rejected with');
  }
  throw new Error(`expected a rejection with ${errorClass.name}, but it resolved (with ${show(value)})`);
}

function expectInstance<E>(error: unknown, errorClass: ErrorClass<E>, expected: string, verb: string): E {
  if (error instanceof errorClass) return error;
  throw new Error(`expected ${expected}, but it ${verb} ${show(error)}`, { cause: error });
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function show(value: unknown): string {
  if (value instanceof Error) return `${value.constructor.name}: ${value.message}`;
  if (value === undefined) return 'undefined';
  try {
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : text.length > 200 ? `${text.slice(0, 200)}…` : text;
  } catch {
    return String(value);
  }
}
