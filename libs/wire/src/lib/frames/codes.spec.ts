import { CloseCodes, closeCodeName } from './close-codes';
import { ERROR_CODES, ErrorCodeList, errorCodeMeaning } from './error-codes';

describe('error codes', () => {
  it('lists every code once, in snake_case, with a meaning', () => {
    expect(new Set(ERROR_CODES).size).toBe(ErrorCodeList.length);
    for (const { code, meaning } of ErrorCodeList) {
      expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
      expect(meaning.length).toBeGreaterThan(10);
    }
    expect(errorCodeMeaning('rate_limited')).toMatch(/backoff/);
  });
});

describe('close codes', () => {
  const entries = Object.entries(CloseCodes);

  it('uses each numeric code once', () => {
    const codes = entries.map(([, value]) => value.code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('uses only standard codes the server may send, or the application range', () => {
    for (const [, { code }] of entries) {
      const standard = code >= 1000 && code <= 1014 && ![1004, 1005, 1006].includes(code);
      expect(standard || (code >= 4000 && code <= 4999)).toBe(true);
    }
  });

  it('finds names by code', () => {
    expect(closeCodeName(4002)).toBe('token_expired');
    expect(closeCodeName(1006)).toBeUndefined();
  });
});
