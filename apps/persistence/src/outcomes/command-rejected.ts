import { MAX_ERROR_MESSAGE_CHARS, type ErrorCode } from '@chat/protocol';

/**
 * A command that is valid but not allowed or not possible in the current state (not a member,
 * unknown user, direct conversations cannot change members, …). Not a failure of the service: the
 * asking socket gets an `error` frame with this code and the batch goes on. Use cases throw it
 * before they write anything, so nothing of the rejected command stays in the batch's transaction.
 */
export class CommandRejected extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message.length > MAX_ERROR_MESSAGE_CHARS ? `${message.slice(0, MAX_ERROR_MESSAGE_CHARS - 1)}…` : message);
    this.name = 'CommandRejected';
  }
}

/** Names a few ids in an error message without letting a long list blow the message up. */
export function listIds(ids: readonly string[], max = 5): string {
  const shown = ids.slice(0, max).join(', ');
  return ids.length > max ? `${shown} and ${ids.length - max} more` : shown;
}
