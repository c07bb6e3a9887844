import { LoginBodySchema, RegisterBodySchema, usernameKey } from './credentials';

function issuesOf(result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }): string[] {
  return (result.error?.issues ?? []).map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('registration body', () => {
  const valid = { username: 'Ann_Lee-1.x', password: 'correct horse' };

  it('accepts 3-32 characters of A-Z, a-z, 0-9, _, . and - and passwords of 10-256 characters', () => {
    expect(RegisterBodySchema.safeParse(valid).success).toBe(true);
    expect(RegisterBodySchema.safeParse({ username: 'abc', password: 'x'.repeat(10) }).success).toBe(true);
    expect(RegisterBodySchema.safeParse({ username: 'a'.repeat(32), password: 'x'.repeat(256) }).success).toBe(true);
  });

  it.each([
    ['ab', 'username'],
    ['a'.repeat(33), 'username'],
    ['ann lee', 'username'],
    ['ann@lee', 'username'],
    ['änn', 'username'],
  ])('refuses the username %j', (username, field) => {
    expect(issuesOf(RegisterBodySchema.safeParse({ ...valid, username }))).toEqual([expect.stringMatching(new RegExp(`^${field}: must be 3-32 characters`))]);
  });

  it('refuses passwords shorter than 10 or longer than 256 characters', () => {
    expect(issuesOf(RegisterBodySchema.safeParse({ ...valid, password: 'x'.repeat(9) }))).toEqual(['password: must be at least 10 characters']);
    expect(issuesOf(RegisterBodySchema.safeParse({ ...valid, password: 'x'.repeat(257) }))).toEqual(['password: must be at most 256 characters']);
  });

  it('refuses missing, mistyped and unknown fields', () => {
    expect(RegisterBodySchema.safeParse({ username: 'ann' }).success).toBe(false);
    expect(RegisterBodySchema.safeParse({ ...valid, password: 1234567890123 }).success).toBe(false);
    expect(issuesOf(RegisterBodySchema.safeParse({ ...valid, pasword: 'typo' }))).toEqual([expect.stringContaining('Unrecognized key')]);
  });
});

describe('login body', () => {
  it('accepts any non-empty password up to 256 characters', () => {
    expect(LoginBodySchema.safeParse({ username: 'ann', password: 'short' }).success).toBe(true);
    expect(LoginBodySchema.safeParse({ username: 'ann', password: '' }).success).toBe(false);
    expect(LoginBodySchema.safeParse({ username: 'ann', password: 'x'.repeat(257) }).success).toBe(false);
  });
});

describe('usernameKey', () => {
  it('makes usernames that differ only in case the same identity', () => {
    expect(usernameKey('Ann.Lee')).toBe(usernameKey('aNN.lEE'));
    expect(usernameKey('Ann.Lee')).toBe('ann.lee');
  });
});
