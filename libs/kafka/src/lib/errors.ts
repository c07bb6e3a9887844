/**
 * How a consumer treats a failed record:
 * - TransientError: the record is fine, something it needs is not (database down). Retried with
 *   backoff for as long as it takes; the partition waits, nothing is dead-lettered.
 * - PermanentError (and ProtocolError from @chat/protocol): retrying cannot help. Dead-lettered at once.
 * - anything else: retried a few times with backoff, then dead-lettered.
 */
export class TransientError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientError';
  }
}

export class PermanentError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentError';
  }
}

/** Thrown inside a retry loop when the consumer is stopping or lost the partition: leave uncommitted. */
export class ConsumerInterrupted extends Error {
  constructor() {
    super('consumer interrupted: stopping or partition reassigned');
    this.name = 'ConsumerInterrupted';
  }
}
