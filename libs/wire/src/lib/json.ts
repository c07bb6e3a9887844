import { ProtocolError } from './protocol-error';

/**
 * Parses JSON text or bytes, refusing oversize input before parsing it. With `maxDepth`, input whose
 * objects/arrays nest deeper is refused by a single linear scan before JSON.parse builds anything,
 * so junk like `[[[[…]]]]` costs no allocations and cannot reach a schema's recursion.
 */
export function parseJson(input: Uint8Array | string, maxBytes: number, maxDepth?: number): unknown {
  const size = typeof input === 'string' ? utf8ByteLengthOver(input, maxBytes) : input.length;
  if (size > maxBytes) {
    throw new ProtocolError('too_large', `input of ${size} bytes exceeds the limit of ${maxBytes} bytes`);
  }
  const text = typeof input === 'string' ? input : utf8.decode(input);
  if (maxDepth !== undefined && jsonDepthExceeds(text, maxDepth)) {
    throw new ProtocolError('too_large', `input nests deeper than ${maxDepth} levels`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ProtocolError('invalid_json', 'input is not valid JSON');
  }
}

// Browser-safe (no Buffer): as fast as Buffer#toString on Node 20 for frame-sized input.
const utf8 = new TextDecoder();

/**
 * The UTF-8 size of `text` when it may exceed `limit`, else a bound no larger than `limit`: a UTF-16
 * code unit is at most 3 UTF-8 bytes, so short text (every frame but the largest) is not walked.
 */
export function utf8ByteLengthOver(text: string, limit: number): number {
  if (text.length * 3 <= limit) return text.length;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next < 0xe000) {
        bytes += 4; // a surrogate pair is one 4-byte code point
        i++;
      } else bytes += 3;
    } else bytes += 3; // lone surrogates encode as U+FFFD, 3 bytes
  }
  return bytes;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** True when JSON text nests objects/arrays deeper than `maxDepth`. Brackets inside strings do not count. */
export function jsonDepthExceeds(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > maxDepth) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}
