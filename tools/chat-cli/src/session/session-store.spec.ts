import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SessionFileError, sessionFilePath, SessionStore } from './session-store';

describe('sessionFilePath', () => {
  it('takes --session, then CHAT_CLI_SESSION, then XDG_CONFIG_HOME, then ~/.config', () => {
    expect(sessionFilePath({ CHAT_CLI_SESSION: '/b/s.json' }, '/a/explicit.json', '/home/ann')).toBe('/a/explicit.json');
    expect(sessionFilePath({ CHAT_CLI_SESSION: '/b/s.json', XDG_CONFIG_HOME: '/x' }, undefined, '/home/ann')).toBe('/b/s.json');
    expect(sessionFilePath({ XDG_CONFIG_HOME: '/x' }, undefined, '/home/ann')).toBe('/x/chat-cli/session.json');
    // The XDG spec ignores a relative XDG_CONFIG_HOME.
    expect(sessionFilePath({ XDG_CONFIG_HOME: 'relative' }, undefined, '/home/ann')).toBe('/home/ann/.config/chat-cli/session.json');
    expect(sessionFilePath({}, undefined, '/home/ann')).toBe('/home/ann/.config/chat-cli/session.json');
  });
});

describe('SessionStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'chat-cli-session-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const session = { authUrl: 'http://127.0.0.1:3001', userId: 'u-1', username: 'ann', refreshToken: 'id.secret' };

  it('saves the session readable by the user only, in a private directory, and loads it back', async () => {
    const store = new SessionStore(path.join(dir, 'chat-cli', 'session.json'));
    await expect(store.load()).resolves.toBeUndefined();
    await store.save(session);
    expect((await stat(store.file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(store.file))).mode & 0o777).toBe(0o700);
    await expect(store.load()).resolves.toEqual({ version: 1, ...session, savedAt: expect.any(String) });
    await store.save({ ...session, refreshToken: 'id.newer' });
    await expect(store.load()).resolves.toEqual(expect.objectContaining({ refreshToken: 'id.newer' }));
    await store.delete();
    await expect(store.load()).resolves.toBeUndefined();
  });

  it('tightens a session file others could read', async () => {
    const store = new SessionStore(path.join(dir, 'session.json'));
    await store.save(session);
    await chmod(store.file, 0o644);
    await store.load();
    expect((await stat(store.file)).mode & 0o777).toBe(0o600);
  });

  it('names the file and the problem when it is not a session', async () => {
    const file = path.join(dir, 'session.json');
    const store = new SessionStore(file);
    await writeFile(file, 'not json');
    await expect(store.load()).rejects.toThrow(new SessionFileError(`the session file ${file} is not JSON; delete it and log in again`));
    await writeFile(file, JSON.stringify({ version: 1, authUrl: 'http://x', userId: 'u', username: 'ann', savedAt: 'now' }));
    await expect(store.load()).rejects.toThrow(`the session file ${file} is not a chat-cli session (refreshToken:`);
    expect(await readFile(file, 'utf8')).toContain('ann');
  });
});
