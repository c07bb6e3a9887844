import { ProtocolError } from './protocol-error';

/**
 * Parses JSON text or bytes, refusing oversize input before parsing it. With `maxDepth`, input whose
 * objects/arrays nest deeper is refused by a single linear scan before JSON.parse builds anything,
 * so junk like `[[[[…]]]]` costs no allocations and cannot reach a schema's recursion.
 */
export function parseJson(input: Buffer | string, maxBytes: number, maxDepth?: number): unknown {
  const size = typeof input === 'string' ? Buffer.byteLength(input) : input.length;
  if (size > maxBytes) {
    throw new ProtocolError('too_large', `input of ${size} bytes exceeds the limit of ${maxBytes} bytes`);
  }
  const text = typeof input === 'string' ? input : input.toString('utf8');
  if (maxDepth !== undefined && jsonDepthExceeds(text, maxDepth)) {
    throw new ProtocolError('too_large', `input nests deeper than ${maxDepth} levels`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ProtocolError('invalid_json', 'input is not valid JSON');
  }
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
