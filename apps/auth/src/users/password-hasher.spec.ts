import { PasswordHasher } from './password-hasher';

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher();

  it('hashes with argon2id and a random salt, and verifies only the right password', async () => {
    const first = await hasher.hash('correct horse battery');
    const second = await hasher.hash('correct horse battery');
    expect(first).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(second).not.toBe(first);
    await expect(hasher.verify(first, 'correct horse battery')).resolves.toBe(true);
    await expect(hasher.verify(first, 'Correct horse battery')).resolves.toBe(false);
  });

  it('treats an unreadable hash as a failed verification', async () => {
    await expect(hasher.verify('not-a-hash', 'whatever1234')).resolves.toBe(false);
  });

  it('fails a dummy verification after doing the work', async () => {
    await expect(hasher.verifyAgainstDummy('correct horse battery')).resolves.toBe(false);
  });
});
