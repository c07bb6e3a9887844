import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { expectEventually } from '@chat/testing';
import { useChatSuite } from './support/chat-suite';
import { e2e, uniqueName } from './support/environment';

/*
 * The terminal client (tools/chat-cli) as users run it: the built dist/tools/chat-cli/main.js as
 * OS processes against the real suite, each user with a config dir of their own (XDG_CONFIG_HOME,
 * where the session file lives). Scripted mode (--json, commands on stdin) for most of it: the
 * processes coordinate through /wait, never through sleeps. One test drives it through a
 * pseudo-terminal (util-linux `script`), password prompt included.
 */

const admin = uniqueName('cli-admin').slice(0, 32);
const suite = useChatSuite({ label: 'terminal', env: { ADMIN_USERNAMES: admin } });

const ENTRY = (): string => path.join(e2e.workspaceRoot, 'dist', 'tools', 'chat-cli', 'main.js');

type CliEvent = { event: string } & Record<string, unknown>;

/** One run of the CLI: its output as it comes, and its exit. */
class CliProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcessWithoutNullStreams;

  constructor(command: string, args: string[], env: Record<string, string>) {
    this.child = spawn(command, args, { cwd: e2e.workspaceRoot, env: { PATH: process.env['PATH'] ?? '', HOME: env['XDG_CONFIG_HOME'] ?? '/nonexistent', ...env } });
    this.child.stdout.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve, reject) => {
      this.child.once('error', reject);
      this.child.once('close', (code) => resolve(code));
    });
  }

  /** The NDJSON events printed so far (--json). */
  get events(): CliEvent[] {
    return this.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as CliEvent);
  }

  eventsOf(kind: string): CliEvent[] {
    return this.events.filter((event) => event.event === kind);
  }

  write(text: string): void {
    this.child.stdin.write(text);
  }

  end(text = ''): void {
    this.child.stdin.end(text);
  }

  /** Waits until the output satisfies `assertion` (or the process ended without it). */
  async until(assertion: () => void, timeoutMs = 30_000): Promise<void> {
    await expectEventually(() => {
      if (this.child.exitCode !== null && this.child.signalCode === null) {
        try {
          assertion();
          return;
        } catch (error) {
          throw new Error(`the CLI exited (${this.child.exitCode}) first: ${String(error)}\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`);
        }
      }
      assertion();
    }, { timeoutMs });
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}

interface User {
  username: string;
  password: string;
  /** XDG_CONFIG_HOME of this user's CLI runs. */
  home: string;
}

async function newUser(prefix: string, username = uniqueName(prefix).slice(0, 32)): Promise<User> {
  return { username, password: `pw-${randomBytes(9).toString('base64url')}`, home: await mkdtemp(path.join(e2e.tempDir, `cli-${prefix}-`)) };
}

/** The CLI with a user's config dir, against the suite; `args` after the connection options. */
function cli(user: User, args: string[], { password = false, extraEnv = {} }: { password?: boolean; extraEnv?: Record<string, string> } = {}): CliProcess {
  const env: Record<string, string> = { XDG_CONFIG_HOME: user.home, ...(password ? { CHAT_PASSWORD: user.password } : {}), ...extraEnv };
  return new CliProcess(process.execPath, [ENTRY(), ...args, '--auth', suite().authUrl, '--gateway', suite().gatewayUrl()], env);
}

/** Runs a script to its end; stdout, stderr and the exit code. */
async function runScript(user: User, args: string[], script: string[], options: { password?: boolean } = {}): Promise<CliProcess> {
  const run = cli(user, [...args, '--json'], options);
  run.end(script.map((line) => `${line}\n`).join(''));
  await run.exited;
  return run;
}

async function registered(prefix: string): Promise<User> {
  const user = await newUser(prefix);
  const run = await runScript(user, ['register', user.username], [], { password: true });
  expect({ code: await run.exited, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
  return user;
}

function expectSuccess(run: CliProcess, code: number | null): void {
  expect({ code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
}

/** A port nothing listens on (bound, then released). */
function closedTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const sessionFile = (user: User): string => path.join(user.home, 'chat-cli', 'session.json');
/**
 * Others' messages as the open conversation shows them, live or from the history `/open` fetched:
 * reads do not queue behind sends, so a message may come either way, and the open view shows a seq once.
 */
const shownInOpen = (run: CliProcess): unknown[] =>
  run
    .eventsOf('message')
    .filter((event) => event['open'] === true && event['mine'] === false)
    .map((event) => event['body']);
// eslint-disable-next-line no-control-regex
const withoutAnsi = (text: string): string => text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');

describe('the terminal client, end to end', () => {
  let alice: User;
  let bob: User;

  it('registers and logs in two users, opens a direct chat by username, and messages flow both ways with receipts and typing', async () => {
    alice = await newUser('alice');
    bob = await registered('bob');
    const register = await runScript(alice, ['register', alice.username], [], { password: true });
    expectSuccess(register, await register.exited);
    expect(register.eventsOf('ready')).toEqual([expect.objectContaining({ username: alice.username, conversations: 0, reconnected: false })]);

    // Logging in again (a second config dir) saves a session of its own, readable by the user only.
    alice = { ...alice, home: await mkdtemp(path.join(e2e.tempDir, 'cli-alice-login-')) };
    const login = await runScript(alice, ['login', alice.username], [], { password: true });
    expectSuccess(login, await login.exited);
    expect((await stat(sessionFile(alice))).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(sessionFile(alice)))).mode & 0o777).toBe(0o700);
    const saved = JSON.parse(await readFile(sessionFile(alice), 'utf8')) as { username: string; refreshToken: string };
    expect(saved.username).toBe(alice.username);

    // Both resume their saved sessions: no password from here on.
    const bobRun = cli(bob, ['--json']);
    await bobRun.until(() => expect(bobRun.eventsOf('ready')).toHaveLength(1));
    bobRun.end(
      [`/wait conversation ${alice.username}`, `/open ${alice.username}`, '/wait message hello bob', '/typing', `/wait typing ${alice.username}`, 'hi alice', `/wait read ${alice.username}`, ''].join('\n'),
    );
    const aliceRun = cli(alice, ['--json']);
    aliceRun.end([`/open ${bob.username}`, 'hello bob', `/wait delivered ${bob.username}`, `/wait read ${bob.username}`, `/wait typing ${bob.username}`, '/typing', '/wait message hi alice', ''].join('\n'));
    const [aliceCode, bobCode] = await Promise.all([aliceRun.exited, bobRun.exited]);
    expectSuccess(aliceRun, aliceCode);
    expectSuccess(bobRun, bobCode);

    // Alice: her message stored (✓), delivered to and read by bob (✓✓), bob typing, his answer.
    expect(aliceRun.eventsOf('conversation')).toEqual([expect.objectContaining({ action: 'opened', kind: 'direct', name: bob.username })]);
    expect(aliceRun.eventsOf('sent')).toEqual([expect.objectContaining({ seq: 1, conversation: bob.username })]);
    const receipts = aliceRun.eventsOf('receipt').filter((event) => (event['covers'] as number[]).length > 0);
    expect(receipts.map((event) => [event['user'], event['status']])).toEqual(expect.arrayContaining([[bob.username, 'read']]));
    expect(aliceRun.eventsOf('typing')).toEqual(expect.arrayContaining([expect.objectContaining({ user: bob.username, active: true, conversation: bob.username })]));
    expect(aliceRun.eventsOf('message')).toEqual([expect.objectContaining({ from: bob.username, body: 'hi alice', seq: 2, mine: false, open: true })]);
    // Bob: alice's message with her name, his own stored, read by alice, alice typing.
    // It may also show as a line before bob opened the chat; opened, the chat shows it once.
    const hello = expect.objectContaining({ from: alice.username, body: 'hello bob', seq: 1, mine: false });
    expect(bobRun.eventsOf('message').filter((event) => event['open'] === true)).toEqual([hello]);
    expect(new Set(bobRun.eventsOf('message').map((event) => event['seq']))).toEqual(new Set([1]));
    expect(bobRun.eventsOf('sent')).toEqual([expect.objectContaining({ seq: 2 })]);
    expect(bobRun.eventsOf('receipt')).toEqual(expect.arrayContaining([expect.objectContaining({ user: alice.username, status: 'read', covers: [2] })]));
    expect(bobRun.eventsOf('typing')).toEqual(expect.arrayContaining([expect.objectContaining({ user: alice.username, active: true })]));
    // The refresh token is single-use: each run saved the new one.
    const resaved = JSON.parse(await readFile(sessionFile(alice), 'utf8')) as { refreshToken: string };
    expect(resaved.refreshToken).not.toBe(saved.refreshToken);
  });

  it('after a restart the saved session resumes and the direct chat shows its history, older pages by /history', async () => {
    const more = Array.from({ length: 22 }, (_, index) => `message ${index + 1}`);
    const writer = await runScript(alice, [], [`/open ${bob.username}`, ...more]);
    expectSuccess(writer, await writer.exited);
    expect(writer.eventsOf('sent').map((event) => event['seq'])).toEqual(more.map((_, index) => index + 3));

    // A new process: the last page when opened, then the older ones; every message once, in order.
    const reader = await runScript(bob, [], [`/open ${alice.username}`, '/history', '/history']);
    expectSuccess(reader, await reader.exited);
    const history = reader.eventsOf('history');
    expect(history.map((event) => [event['count'], event['hasMore'], event['older']])).toEqual([
      [20, true, false],
      [4, false, true],
      [0, false, true],
    ]);
    const shown = reader.eventsOf('message').map((event) => [event['seq'], event['body']]);
    expect(shown.slice(0, 20).map(([seq]) => seq)).toEqual(Array.from({ length: 20 }, (_, index) => index + 5));
    expect(shown.slice(20)).toEqual([
      [1, 'hello bob'],
      [2, 'hi alice'],
      [3, 'message 1'],
      [4, 'message 2'],
    ]);

    // The list shows the chat with its last message and no unread left (bob read it all).
    const list = await runScript(bob, [], ['/list']);
    expectSuccess(list, await list.exited);
    expect(list.eventsOf('conversations')[0]?.['items']).toEqual([expect.objectContaining({ name: alice.username, unread: 0, lastSeq: 24, lastMessage: { seq: 24, from: alice.username, body: 'message 22' } })]);
  });

  it('a group of three: created by name, everyone chats, a removed member reads nothing more and cannot send', async () => {
    const carol = await registered('carol');
    const title = `Trip ${randomBytes(3).toString('hex')}`;
    const member = (user: User, extra: string[]) => {
      const run = cli(user, ['--json']);
      run.end([`/wait conversation ${title}`, `/open ${title}`, '/wait message welcome, all', ...extra, ''].join('\n'));
      return run;
    };
    const bobRun = member(bob, ['hello from bob', `/wait removed ${carol.username}`, '/wait message after carol left']);
    const carolRun = member(carol, [`/wait removed ${carol.username}`, 'am I still here?']);
    await Promise.all([bobRun.until(() => expect(bobRun.eventsOf('ready')).toHaveLength(1)), carolRun.until(() => expect(carolRun.eventsOf('ready')).toHaveLength(1))]);
    const aliceRun = cli(alice, ['--json']);
    aliceRun.end([`/group "${title}" ${bob.username} ${carol.username}`, 'welcome, all', '/wait message hello from bob', `/remove ${carol.username}`, 'after carol left', '/members', ''].join('\n'));

    const [aliceCode, bobCode, carolCode] = await Promise.all([aliceRun.exited, bobRun.exited, carolRun.exited]);
    expectSuccess(aliceRun, aliceCode);
    expectSuccess(bobRun, bobCode);
    const created = aliceRun.eventsOf('conversation')[0];
    expect(created).toEqual(expect.objectContaining({ action: 'created', kind: 'group', name: title, owner: alice.username }));
    expect((created?.['members'] as string[]).sort()).toEqual([alice.username, bob.username, carol.username].sort());
    expect(aliceRun.eventsOf('members')[0]?.['members']).toEqual([
      { username: alice.username, role: 'owner' },
      { username: bob.username, role: 'member' },
    ]);
    expect(shownInOpen(bobRun)).toEqual(['welcome, all', 'after carol left']);
    expect(bobRun.eventsOf('member')).toEqual(expect.arrayContaining([expect.objectContaining({ change: 'removed', users: [carol.username], by: alice.username, conversation: title })]));

    // Carol: she saw the group until she was removed, then her send is refused with a clear message.
    expect(carolCode).toBe(1);
    expect(carolRun.stderr).toBe(`chat-cli: stdin line 5: not sent: you are not a member of ${title}\n`);
    expect(shownInOpen(carolRun)).toEqual(['welcome, all', 'hello from bob']);
    expect(carolRun.eventsOf('member')).toEqual(expect.arrayContaining([expect.objectContaining({ change: 'removed', users: [carol.username], by: alice.username, me: true })]));
  });

  it("shows an administrator's announcement to a user who is chatting, as a line of its own", async () => {
    const administrator = await newUser('admin', admin);
    const reader = cli(bob, []);
    reader.end('/wait announcement Maintenance at 22:00 UTC\n');
    await reader.until(() => expect(reader.stdout).toContain('logged in as'));
    const announcer = await runScript(administrator, ['register', admin], ['/announce --expires 600 Maintenance at 22:00 UTC'], { password: true });
    expectSuccess(announcer, await announcer.exited);
    expectSuccess(reader, await reader.exited);
    expect(reader.stdout).toContain(`📢 announcement from ${admin}: Maintenance at 22:00 UTC\n`);

    // Not an administrator: refused, in words.
    const refused = await runScript(bob, [], ['/announce hello everyone']);
    expect({ code: await refused.exited, stderr: refused.stderr }).toEqual({ code: 1, stderr: expect.stringMatching(/^chat-cli: stdin line 1: not allowed: .*\n$/) });
  });

  it('names what went wrong, without a stack trace: wrong password, unknown user, not logged in, gateway unreachable, bad options', async () => {
    const wrong = await runScript({ ...alice, password: 'not-the-password' }, ['login', alice.username], [], { password: true });
    expect({ code: await wrong.exited, stderr: wrong.stderr }).toEqual({ code: 1, stderr: 'chat-cli: wrong username or password\n' });
    // A failed login leaves the saved session alone.
    const stillIn = await runScript(alice, [], ['/whoami']);
    expectSuccess(stillIn, await stillIn.exited);

    const unknown = await runScript(bob, [], ['/open nobody-by-this-name']);
    expect({ code: await unknown.exited, stderr: unknown.stderr }).toEqual({ code: 1, stderr: 'chat-cli: stdin line 1: no conversation and no user named nobody-by-this-name\n' });
    expect(unknown.eventsOf('error')).toEqual([{ event: 'error', code: 'unknown_user', message: 'stdin line 1: no conversation and no user named nobody-by-this-name' }]);

    const stranger = await newUser('stranger');
    const notLoggedIn = await runScript(stranger, [], ['/list']);
    expect(await notLoggedIn.exited).toBe(1);
    expect(notLoggedIn.stderr).toMatch(/^chat-cli: not logged in \(no session in .*session\.json\): run chat-cli register <username> or chat-cli login <username> first\n$/);

    const closedPort = `ws://127.0.0.1:${await closedTcpPort()}/ws`;
    const unreachable = new CliProcess(process.execPath, [ENTRY(), '--auth', suite().authUrl, '--gateway', closedPort, '--connect-timeout', '2', '--json'], { XDG_CONFIG_HOME: bob.home });
    unreachable.end();
    expect(await unreachable.exited).toBe(1);
    expect(unreachable.stderr).toBe(`chat-cli: cannot reach the gateway at ${closedPort} within 2 s; is the suite running (npm start)? --gateway or CHAT_GATEWAY_URL sets the URL\n`);

    const usage = await runScript(bob, ['--frobnicate'], []);
    expect({ code: await usage.exited, stderr: usage.stderr }).toEqual({ code: 2, stderr: 'chat-cli: unknown option --frobnicate\n(chat-cli --help shows the usage)\n' });
    for (const run of [wrong, unknown, notLoggedIn, unreachable, usage]) expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('tells a dropped connection (reconnecting…) and its return (back online); a message typed meanwhile goes out after it', async () => {
    const writer = cli(bob, ['--json']);
    writer.write(`/open ${alice.username}\n`);
    await writer.until(() => expect(writer.eventsOf('conversation')).toHaveLength(1));
    await suite().killGateway(0);
    await writer.until(() => expect(writer.eventsOf('state')).toEqual(expect.arrayContaining([expect.objectContaining({ state: 'reconnecting', firstConnect: false })])));
    // Typed while the gateway is down: it waits in the SDK's outbox and is sent after the reconnect.
    writer.write('typed while offline\n');
    await suite().startGatewayAgain(0);
    writer.end('/wait online\n');
    expectSuccess(writer, await writer.exited);
    expect(writer.eventsOf('ready').map((event) => event['reconnected'])).toEqual([false, true]);
    expect(writer.eventsOf('sent')).toHaveLength(1);

    const reader = await runScript(alice, [], [`/open ${bob.username}`, '/wait message typed while offline']);
    expectSuccess(reader, await reader.exited);
  });

  const hasScript = (() => {
    try {
      execFileSync('script', ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  (hasScript ? it : it.skip)('works at a terminal (a pseudo-terminal through util-linux script): password prompt without echo, /help, a message sent and seen', async () => {
    const home = await mkdtemp(path.join(e2e.tempDir, 'cli-pty-'));
    const user: User = { ...alice, home };
    const command = [ENTRY(), 'login', alice.username, '--auth', suite().authUrl, '--gateway', suite().gatewayUrl()].map((part) => `'${part}'`).join(' ');
    const terminal = new CliProcess('script', ['-qfec', `'${process.execPath}' ${command}`, '/dev/null'], { XDG_CONFIG_HOME: home, TERM: 'xterm', NO_COLOR: '1' });
    const screen = () => withoutAnsi(terminal.stdout);
    await terminal.until(() => expect(screen()).toContain('password: '));
    terminal.write(`${user.password}\r`);
    await terminal.until(() => expect(screen()).toContain(`logged in as ${alice.username}`));
    expect(screen()).not.toContain(user.password);

    const bobRun = cli(bob, ['--json']);
    bobRun.end([`/open ${alice.username}`, '/wait message hello from a terminal', ''].join('\n'));
    await bobRun.until(() => expect(bobRun.eventsOf('conversation')).toHaveLength(1));

    terminal.write('/help\r');
    await terminal.until(() => expect(screen()).toContain('/open <number|username|group title>'));
    terminal.write(`/open ${bob.username}\r`);
    await terminal.until(() => expect(screen()).toContain(`── ${bob.username} ──`));
    terminal.write('hello from a terminal\r');
    await terminal.until(() => expect(screen()).toMatch(/✓ sent #\d+/));
    expectSuccess(bobRun, await bobRun.exited);
    await terminal.until(() => expect(screen()).toMatch(/✓✓ read by \S+ \(#[^)]+\)/));
    terminal.write('/quit\r');
    expect(await terminal.exited).toBe(0);
    expect((await stat(sessionFile(user))).mode & 0o777).toBe(0o600);
  });
});
