import { CommandLineError, parseCommandLine } from '@chat/helpers';

export const DEFAULT_AUTH_URL = 'http://127.0.0.1:3001';
export const DEFAULT_GATEWAY_URL = 'ws://127.0.0.1:3000/ws';

export const USAGE = `usage: chat-cli [register <username> | login <username> | logout] [options]
       (node dist/tools/chat-cli/main.js …, or npm run chat -- …)

  register <username>   create an account, log in, save the session and chat
  login <username>      log in, save the session and chat
  logout                end the saved session (on the server too) and delete it
  (nothing)             resume the saved session and chat

On a terminal the password is asked for (not echoed) and you chat at a prompt (/help lists the
commands). Otherwise (stdin not a terminal, or --script) it runs one command per line and exits:
the password comes from CHAT_PASSWORD, and --json prints one JSON event per line.

options:
  --auth <url>             auth service (default ${DEFAULT_AUTH_URL}; env CHAT_AUTH_URL)
  --gateway <url>          gateway WebSocket (default ${DEFAULT_GATEWAY_URL}; env CHAT_GATEWAY_URL)
  --session <file>         session file (default $XDG_CONFIG_HOME/chat-cli/session.json or
                           ~/.config/chat-cli/session.json; env CHAT_CLI_SESSION)
  --script <file>          read commands from a file instead of stdin
  --json                   scripted output as NDJSON events (ready, message, sent, receipt, typing, …)
  --wait-timeout <s>       default deadline of /wait (default 30)
  --connect-timeout <s>    give up connecting after this (default 15)
  -h, --help               this text`;

export type Action = { kind: 'chat' } | { kind: 'register'; username: string } | { kind: 'login'; username: string } | { kind: 'logout' } | { kind: 'help' };

export interface CliOptions {
  action: Action;
  authUrl: string;
  gatewayUrl: string;
  sessionFile?: string;
  script?: string;
  json: boolean;
  waitTimeoutMs: number;
  connectTimeoutMs: number;
}

/** A command line that cannot run (exit 2); the message names what was wrong. */
export class UsageError extends Error {}

const OPTIONS = {
  auth: { type: 'string' },
  gateway: { type: 'string' },
  session: { type: 'string' },
  script: { type: 'string' },
  json: { type: 'boolean' },
  'wait-timeout': { type: 'string' },
  'connect-timeout': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv): CliOptions {
  let parsed;
  try {
    parsed = parseCommandLine(argv, OPTIONS);
  } catch (error) {
    if (error instanceof CommandLineError) throw new UsageError(error.message);
    throw error;
  }
  const { values, positionals } = parsed;
  const action = values.help ? { kind: 'help' as const } : parseAction(positionals);
  return {
    action,
    authUrl: url('--auth', values.auth ?? env['CHAT_AUTH_URL'] ?? DEFAULT_AUTH_URL, ['http:', 'https:']),
    gatewayUrl: url('--gateway', values.gateway ?? env['CHAT_GATEWAY_URL'] ?? DEFAULT_GATEWAY_URL, ['ws:', 'wss:']),
    ...(values.session === undefined ? {} : { sessionFile: values.session }),
    ...(values.script === undefined ? {} : { script: values.script }),
    json: values.json ?? false,
    waitTimeoutMs: seconds('--wait-timeout', values['wait-timeout'], 30),
    connectTimeoutMs: seconds('--connect-timeout', values['connect-timeout'], 15),
  };
}

function parseAction(positionals: string[]): Action {
  const [verb, ...rest] = positionals;
  const one = (usage: string): string => {
    if (rest.length !== 1 || !rest[0]) throw new UsageError(`usage: chat-cli ${usage}`);
    return rest[0];
  };
  switch (verb) {
    case undefined:
    case 'chat':
      if (rest.length > 0) throw new UsageError(`unexpected ${rest.join(' ')}`);
      return { kind: 'chat' };
    case 'register':
      return { kind: 'register', username: one('register <username>') };
    case 'login':
      return { kind: 'login', username: one('login <username>') };
    case 'logout':
      if (rest.length > 0) throw new UsageError('usage: chat-cli logout');
      return { kind: 'logout' };
    default:
      throw new UsageError(`unknown command ${verb} (register, login, logout, or nothing to resume the saved session)`);
  }
}

function url(flag: string, value: string, protocols: readonly string[]): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new UsageError(`${flag}: not a URL: ${value}`);
  }
  if (!protocols.includes(parsed.protocol)) throw new UsageError(`${flag}: ${value} must start with ${protocols.map((protocol) => `${protocol}//`).join(' or ')}`);
  return value;
}

function seconds(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback * 1000;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new UsageError(`${flag} takes a number of seconds above 0 (got ${value})`);
  return Math.round(number * 1000);
}
