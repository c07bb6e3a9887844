import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';

/**
 * The saved login: the refresh token (single-use, so rewritten after every refresh) with the user
 * it belongs to and the auth service that issued it. The file is the user's secret: created 0600 in
 * a 0700 directory, written to a temporary file and renamed so a crash never leaves half a token.
 */
const SavedSessionSchema = z.object({
  version: z.literal(1),
  authUrl: z.string().min(1),
  userId: z.string().min(1),
  username: z.string().min(1),
  refreshToken: z.string().min(1),
  savedAt: z.string(),
});
export type SavedSession = z.output<typeof SavedSessionSchema>;

/** The session file is there but unusable; the message says which file and why. */
export class SessionFileError extends Error {}

/**
 * `--session <file>`, else `$CHAT_CLI_SESSION`, else `$XDG_CONFIG_HOME/chat-cli/session.json`
 * (`~/.config/chat-cli/session.json` when XDG_CONFIG_HOME is unset or not absolute, as the XDG
 * spec says).
 */
export function sessionFilePath(env: NodeJS.ProcessEnv, explicit?: string, home: string = homedir()): string {
  if (explicit) return path.resolve(explicit);
  if (env['CHAT_CLI_SESSION']) return path.resolve(env['CHAT_CLI_SESSION']);
  const xdg = env['XDG_CONFIG_HOME'];
  const configDir = xdg && path.isAbsolute(xdg) ? xdg : path.join(home, '.config');
  return path.join(configDir, 'chat-cli', 'session.json');
}

export class SessionStore {
  constructor(readonly file: string) {}

  /** The saved session; undefined when there is none. A file that cannot be read or parsed is an error naming it. */
  async load(): Promise<SavedSession | undefined> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new SessionFileError(`cannot read the session file ${this.file}: ${(error as Error).message}`);
    }
    // Someone loosened the permissions (or copied the file): the token is still ours, tighten it.
    const mode = (await stat(this.file)).mode & 0o777;
    if ((mode & 0o077) !== 0) await chmod(this.file, 0o600);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new SessionFileError(`the session file ${this.file} is not JSON; delete it and log in again`);
    }
    const parsed = SavedSessionSchema.safeParse(json);
    if (!parsed.success) throw new SessionFileError(`the session file ${this.file} is not a chat-cli session (${parsed.error.issues[0]?.path.join('.') || 'value'}: ${parsed.error.issues[0]?.message}); delete it and log in again`);
    return parsed.data;
  }

  async save(session: Omit<SavedSession, 'version' | 'savedAt'>): Promise<void> {
    const saved: SavedSession = { version: 1, ...session, savedAt: new Date().toISOString() };
    await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const temporary = `${this.file}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(saved, null, 2)}\n`, { mode: 0o600 });
    // writeFile's mode applies only to a new file (and is masked by the umask): make sure.
    await chmod(temporary, 0o600);
    await rename(temporary, this.file);
  }

  async delete(): Promise<void> {
    await rm(this.file, { force: true });
  }
}
