import { ChatClient, ConnectionClosedError } from '@chat/client-sdk';
import { nodeSocketFactory } from '@chat/client-sdk/node';
import { ChatController } from '../chat/chat-controller';
import { CliError, describeFailure } from '../chat/errors';
import type { EventSink } from '../chat/events';
import { colorStyle, plainStyle } from '../chat/render';
import { type LoggedIn, type LoginInput, login, logout, register, resume, SavingAuthClient } from '../session/login';
import { sessionFilePath, SessionStore } from '../session/session-store';
import { InteractiveTerminal } from '../terminal/interactive';
import { terminalPrompts } from '../terminal/prompts';
import { runScript, scriptSink, scriptSource } from '../terminal/scripted';
import { type CliOptions, parseOptions, USAGE, UsageError } from './options';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** Close codes after which the saved session is no use any more (docs/protocol.md, "Close codes"). */
const SESSION_ENDED = 4004;
const UNAUTHORIZED = 4001;

/** Runs the command line; resolves with the exit status. User errors are one line on stderr, never a stack trace. */
export async function runCli(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let options: CliOptions;
  try {
    options = parseOptions(argv, env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`chat-cli: ${error.message}\n(chat-cli --help shows the usage)\n`);
    return EXIT_USAGE;
  }
  if (options.action.kind === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return EXIT_OK;
  }
  const interactive = options.script === undefined && !options.json && Boolean(process.stdin.isTTY) && Boolean(process.stdout.isTTY);
  const json = options.json;
  const fail = (error: unknown): number => {
    const { code, message } = describeFailure(error, { authUrl: options.authUrl, gatewayUrl: options.gatewayUrl });
    if (json) process.stdout.write(`${JSON.stringify({ event: 'error', code, message })}\n`);
    process.stderr.write(`chat-cli: ${message}\n`);
    return EXIT_FAILED;
  };

  const store = new SessionStore(sessionFilePath(env, options.sessionFile));
  const auth = new SavingAuthClient(options.authUrl, store);
  const input: LoginInput = {
    ...(process.stdin.isTTY && options.script === undefined ? { prompts: terminalPrompts() } : {}),
    ...(env['CHAT_PASSWORD'] === undefined ? {} : { password: env['CHAT_PASSWORD'] }),
  };
  let loggedIn: LoggedIn;
  try {
    switch (options.action.kind) {
      case 'logout': {
        const text = await logout(auth, store);
        process.stdout.write(json ? `${JSON.stringify({ event: 'info', text })}\n` : `${text}\n`);
        return EXIT_OK;
      }
      case 'register':
        loggedIn = await register(auth, store, options.action.username, input);
        break;
      case 'login':
        loggedIn = await login(auth, store, options.action.username, input);
        break;
      case 'chat':
        loggedIn = await resume(auth, store, input);
        break;
    }
  } catch (error) {
    return fail(error);
  }
  return chat(options, loggedIn, store, interactive, fail);
}

async function chat(options: CliOptions, { session, username }: LoggedIn, store: SessionStore, interactive: boolean, fail: (error: unknown) => number): Promise<number> {
  const client = new ChatClient({ socketFactory: nodeSocketFactory(), userId: session.userId, newConversations: 'latest', connectTimeoutMs: options.connectTimeoutMs });
  const terminal = interactive ? new InteractiveTerminal(process.env['NO_COLOR'] ? plainStyle : colorStyle) : undefined;
  const output = { json: options.json, stdout: (text: string) => process.stdout.write(text), stderr: (text: string) => process.stderr.write(text) };
  const emit: EventSink = terminal ? terminal.emit : scriptSink(output);
  let loggingOut = false;
  const controller = new ChatController({
    client,
    session,
    username,
    emit,
    authUrl: options.authUrl,
    gatewayUrl: options.gatewayUrl,
    sessionFile: store.file,
    waitTimeoutMs: options.waitTimeoutMs,
    logout: async () => {
      loggingOut = true;
      client.close();
      await session.logout();
      await store.delete();
    },
  });
  // The connection ended for good while chatting (session revoked, token refused): the run ends.
  const fatal = new Promise<Error>((resolve) => {
    client.on('state', (change) => {
      if (change.state !== 'closed' || loggingOut || !(change.error instanceof ConnectionClosedError) || change.error.message === 'closed by the client') return;
      // An ended session cannot be resumed: forget it, so the next start asks to log in.
      const forget = change.error.closeCode === SESSION_ENDED ? store.delete() : Promise.resolve();
      void forget.catch(() => undefined).then(() => resolve(connectionFailure(change.error, options.gatewayUrl)));
    });
  });
  try {
    try {
      await client.connect(options.gatewayUrl, session.tokenProvider);
    } catch (error) {
      if (error instanceof ConnectionClosedError && error.closeCode === SESSION_ENDED) await store.delete();
      return fail(connectionFailure(error, options.gatewayUrl, options.connectTimeoutMs));
    }
    await controller.whenReady();
    if (terminal) return await terminal.run(controller, fatal);
    const source = scriptSource(options.script);
    return await runScript(controller, source, output, fatal, options.script ?? 'stdin');
  } catch (error) {
    return fail(error);
  } finally {
    controller.flushReceipts();
    controller.stopTyping();
    controller.dispose();
    client.close();
  }
}

function connectionFailure(error: unknown, gatewayUrl: string, connectTimeoutMs?: number): Error {
  if (!(error instanceof ConnectionClosedError)) return error instanceof Error ? error : new Error(String(error));
  switch (error.closeCode) {
    case SESSION_ENDED:
      return new CliError('session_ended', 'the session was ended (logged out here or elsewhere, or the account was disabled); log in again: chat-cli login <username>');
    case UNAUTHORIZED:
      return new CliError('unauthorized', `the gateway at ${gatewayUrl} refused the token (4001); are auth and the gateway of the same suite? log in again: chat-cli login <username>`);
    case undefined:
      return new CliError(
        'gateway_unreachable',
        `cannot reach the gateway at ${gatewayUrl}${connectTimeoutMs === undefined ? '' : ` within ${connectTimeoutMs / 1000} s`}; is the suite running (npm start)? --gateway or CHAT_GATEWAY_URL sets the URL`,
      );
    default:
      return new CliError('disconnected', `the gateway closed the connection: ${error.message}`);
  }
}
