/**
 * Client text ends up in PostgreSQL (text and jsonb columns), which can hold neither U+0000 nor a
 * UTF-16 surrogate without its pair (JSON allows both as `\u` escapes). A command carrying one would
 * fail its insert on every retry and stall its Kafka partition for everyone, so free text is
 * refused at the edge instead.
 */
const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const UNSTORABLE_TEXT_MESSAGE = 'must not contain NUL (U+0000) or an unpaired surrogate';

export function isStorableText(text: string): boolean {
  return !text.includes('\u0000') && !UNPAIRED_SURROGATE.test(text);
}
