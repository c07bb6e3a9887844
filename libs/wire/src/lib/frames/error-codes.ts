/**
 * Codes of `error` frames, each with the one-line meaning a client developer needs to react to it.
 * Listed (not keyed) so a test can prove no code appears twice; derive lookups from this list.
 */
export const ErrorCodeList = [
  { code: 'invalid_frame', meaning: 'The frame is not JSON (not Protobuf, on a chat.v1.protobuf connection) or does not match its schema; `message` names the field. Fix the client, do not retry as is.' },
  { code: 'unknown_type', meaning: 'The frame `type` is not one this server knows (e.g. a newer client on an older server).' },
  { code: 'too_large', meaning: 'The frame exceeds the byte or nesting limit; it was not read.' },
  { code: 'rate_limited', meaning: 'Too many frames too fast; the request was dropped. Retry later with backoff.' },
  { code: 'not_member', meaning: 'You are not a member of that conversation (never were, or were removed).' },
  { code: 'not_found', meaning: 'The conversation or user does not exist.' },
  { code: 'conflict', meaning: 'The request contradicts the current state (e.g. already a member, not a member).' },
  { code: 'forbidden', meaning: 'You may not do this (e.g. change the members of a direct conversation, or announce without being an administrator).' },
  { code: 'quota_exceeded', meaning: 'A quota is used up (e.g. groups created per hour, members of a group); `message` names the limit and, for a quota per hour, when it frees up. Do not retry before then.' },
  { code: 'timeout', meaning: 'No answer in time; the outcome is unknown. Retrying is safe (a send is deduplicated by clientMsgId).' },
  { code: 'unavailable', meaning: 'A backend is unavailable, so the request was NOT carried out. Retry with backoff.' },
  { code: 'internal', meaning: 'An unexpected server error; the outcome is unknown. Retrying is safe.' },
  { code: 'not_stored', meaning: 'The server accepted the request (a send: `accepted`) but could not carry it out and gave up on it: it was NOT stored and will not be. Retrying as is may fail the same way; tell the user.' },
] as const;

export type ErrorCode = (typeof ErrorCodeList)[number]['code'];
export const ERROR_CODES: readonly ErrorCode[] = ErrorCodeList.map((entry) => entry.code);

/** The meaning of an error code, e.g. for logs and developer tooling. */
export function errorCodeMeaning(code: ErrorCode): string {
  return ErrorCodeList.find((entry) => entry.code === code)?.meaning ?? code;
}
