import { randomBytes } from 'node:crypto';
import { ReencryptExit, runReencryptCommand } from './reencrypt.command';

describe('main.js reencrypt, before it touches the database', () => {
  let stderr: string;
  let stdout: string;

  beforeEach(() => {
    stderr = '';
    stdout = '';
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  });

  afterEach(() => jest.restoreAllMocks());

  const env = { DATABASE_URL: 'postgres://chat@127.0.0.1:1/chat_persistence', DATA_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`, DATA_ENCRYPTION_KEY_ID: 'k1' };

  it('prints its usage', async () => {
    await expect(runReencryptCommand(['--help'], env)).resolves.toBe(ReencryptExit.done);
    expect(stdout).toMatch(/^usage: node dist\/apps\/persistence\/main.js reencrypt \[--batch <rows>\]/);
  });

  it('refuses bad arguments with exit status 64', async () => {
    await expect(runReencryptCommand(['--batch', '0'], env)).resolves.toBe(ReencryptExit.usage);
    expect(stderr).toContain('--batch must be an integer from 1 to 100000');
    await expect(runReencryptCommand(['--force'], env)).resolves.toBe(ReencryptExit.usage);
    expect(stderr).toContain('unknown option --force');
  });

  it('refuses an invalid configuration with exit status 78, naming the variable and not the key', async () => {
    const short = randomBytes(8).toString('base64');
    await expect(runReencryptCommand([], { ...env, DATA_ENCRYPTION_KEYS: `k1:${short}` })).resolves.toBe(ReencryptExit.invalidConfig);
    expect(stderr).toContain('DATA_ENCRYPTION_KEYS: key k1 must be 32 bytes');
    expect(stderr).not.toContain(short);
    await expect(runReencryptCommand([], { ...env, DATABASE_URL: '' })).resolves.toBe(ReencryptExit.invalidConfig);
    expect(stderr).toContain('DATABASE_URL');
  });
});
