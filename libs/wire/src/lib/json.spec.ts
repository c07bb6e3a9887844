import fc from 'fast-check';
import { jsonDepthExceeds, parseJson, utf8ByteLengthOver } from './json';
import { ProtocolError } from './protocol-error';

describe('jsonDepthExceeds', () => {
  it.each([
    ['1', 0, false],
    ['{}', 0, true],
    ['{}', 1, false],
    ['{"a":[1,{"b":[]}]}', 4, false],
    ['{"a":[1,{"b":[]}]}', 3, true],
    ['["[[[[", "\\"[[["]', 1, false],
  ])('%s with limit %i → %s', (text, limit, expected) => {
    expect(jsonDepthExceeds(text, limit)).toBe(expected);
  });
});

describe('parseJson', () => {
  it('parses within limits and counts bytes, not characters', () => {
    expect(parseJson('{"a":1}', 7, 1)).toEqual({ a: 1 });
    expect(() => parseJson('"é"', 3)).toThrow(ProtocolError);
  });

  it('checks depth only when asked', () => {
    expect(parseJson('[[[]]]', 100)).toEqual([[[]]]);
    expect(() => parseJson('[[[]]]', 100, 2)).toThrow(/nests deeper than 2/);
  });
});

describe('utf8ByteLengthOver', () => {
  it('is the UTF-8 size of any text (lone surrogates included) whenever that size may exceed the limit', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.nat(64), (text, limit) => {
        const size = utf8ByteLengthOver(text, limit);
        const exact = Buffer.byteLength(text);
        if (exact > limit) expect(size).toBe(exact);
        else expect(size).toBeLessThanOrEqual(limit);
      }),
    );
  });
});
