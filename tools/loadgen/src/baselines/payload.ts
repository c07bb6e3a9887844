/**
 * A JSON text of exactly `bytes` bytes (or the smallest it can be, when `bytes` is too small)
 * carrying a message index and its send time, like a chat frame carrying a body.
 */
export function timedPayload(index: number, sentAt: number, bytes: number): string {
  const bare = JSON.stringify({ i: index, t: sentAt, pad: '' });
  const padding = Math.max(0, bytes - Buffer.byteLength(bare));
  return JSON.stringify({ i: index, t: sentAt, pad: 'x'.repeat(padding) });
}

/** The index and send time of a payload made by `timedPayload`. */
export function readTimedPayload(text: string): { index: number; sentAt: number } {
  const { i, t } = JSON.parse(text) as { i: number; t: number };
  return { index: i, sentAt: t };
}
