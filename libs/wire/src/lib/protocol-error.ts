import type { z } from 'zod';

/** `invalid_encoding`: not a frame in the connection's codec (not Protobuf, or a text frame where binary is spoken). */
export type ProtocolErrorCode = 'invalid_json' | 'invalid_encoding' | 'invalid_field' | 'unknown_type' | 'too_large';

/**
 * Input that does not match the protocol. `field` is the dotted path of the first offending field.
 * `requestId` is the `id` of a client frame that was readable enough to have one, so the gateway can
 * answer with an `error` frame whose `replyTo` lets the client match it to its request.
 */
export class ProtocolError extends Error {
  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
    readonly field?: string,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }

  /** The same error, tagged with the request id of the frame it is about. */
  withRequestId(requestId: string | undefined): ProtocolError {
    if (requestId === undefined || requestId === this.requestId) return this;
    return new ProtocolError(this.code, this.message, this.field, requestId);
  }

  static fromZod(error: z.ZodError, prefix?: string): ProtocolError {
    const issue = error.issues[0];
    const segments = [prefix, ...(issue?.path ?? []).map(String)];
    let detail = issue?.message;
    // zod reports an unknown key at the object that holds it; name the key itself instead.
    if (issue?.code === 'unrecognized_keys' && issue.keys.length > 0) {
      segments.push(issue.keys[0]);
      detail = issue.keys.length > 1 ? `Unrecognized key (and ${issue.keys.length - 1} more)` : 'Unrecognized key';
    }
    const path = segments.filter(Boolean).join('.');
    const field = path || undefined;
    const message = field ? `${field}: ${detail ?? 'invalid'}` : (detail ?? 'invalid input');
    return new ProtocolError('invalid_field', message, field);
  }
}
