import { CommandLineError, parseCommandLine } from '@chat/helpers';
import { DELIVERY_DEAD_LETTER_TOPIC, deadLetterTopicOf, DLQ_SUFFIX, gatewayPrincipal, isDeliveryTopic, MAX_ANNOUNCEMENT_EXPIRY_SECONDS, MessageBodySchema, MIN_ANNOUNCEMENT_EXPIRY_SECONDS, USERNAME_PATTERN, type UserAdminAction } from '@chat/protocol';

/** A command line that does not fit (exit 2); the message names the bad argument. */
export class UsageError extends CommandLineError {}

export type DeadLetterPosition = { partition: number; offset: bigint };

export type Command =
  | { kind: 'help'; topic?: string }
  | { kind: 'dlq-list'; sourceTopic?: string; limit: number }
  | { kind: 'dlq-inspect'; sourceTopic: string; position: DeadLetterPosition }
  | { kind: 'dlq-replay'; sourceTopic: string; positions: DeadLetterPosition[] | 'all'; force: boolean }
  | { kind: 'user'; action: UserAdminAction; username: string }
  | { kind: 'announce'; text: string; expiresInSeconds: number }
  | { kind: 'lag'; group?: string }
  | { kind: 'acls-print'; bootstrapServer?: string; commandConfig?: string; gatewayIds?: string[] }
  | { kind: 'acls-apply'; prune: boolean; gatewayIds?: string[] };

export interface Invocation {
  command: Command;
  json: boolean;
  timeoutMs: number;
  verbose: boolean;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_DLQ_LIMIT = 50;
export const DEFAULT_ANNOUNCEMENT_EXPIRY_SECONDS = 24 * 60 * 60;

const USER_ACTIONS: Record<string, UserAdminAction> = {
  disable: 'disable',
  enable: 'enable',
  'revoke-sessions': 'revoke_sessions',
  'grant-admin': 'grant_admin',
  'revoke-admin': 'revoke_admin',
};

const OPTIONS = {
  json: { type: 'boolean' },
  timeout: { type: 'string' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  topic: { type: 'string' },
  limit: { type: 'string' },
  offset: { type: 'string' },
  all: { type: 'boolean' },
  force: { type: 'boolean' },
  'expires-in': { type: 'string' },
  group: { type: 'string' },
  'bootstrap-server': { type: 'string' },
  'command-config': { type: 'string' },
  prune: { type: 'boolean' },
  'gateway-ids': { type: 'string' },
} as const;
type OptionName = keyof typeof OPTIONS;

/** Options every command takes; the others belong to one command each. */
const GLOBAL_OPTIONS: readonly OptionName[] = ['json', 'timeout', 'verbose', 'help'];
const COMMAND_OPTIONS: Record<string, readonly OptionName[]> = {
  'dlq list': ['topic', 'limit'],
  'dlq inspect': [],
  'dlq replay': ['offset', 'all', 'force'],
  user: [],
  announce: ['expires-in'],
  lag: ['group'],
  'acls print': ['bootstrap-server', 'command-config', 'gateway-ids'],
  'acls apply': ['prune', 'gateway-ids'],
};

export const USAGE = `usage: chatctl <command> [options]      (node dist/tools/chatctl/main.js …)

Talks to the cluster through Kafka, as the services do (KAFKA_BROKERS, KAFKA_REPLICATION_FACTOR; with
TLS and SASL: KAFKA_SECURITY_PROTOCOL=SASL_SSL, KAFKA_SASL_USERNAME=admin, KAFKA_SASL_PASSWORD, KAFKA_SSL_CA_FILE).

dead letters
  dlq list [--topic <source>] [--limit N]        the <topic>.dlq topics, their counts, the newest N dead letters of each (default ${DEFAULT_DLQ_LIMIT})
  dlq inspect <source-topic> <partition>:<offset> one dead letter: key, value (JSON pretty-printed), every header
  dlq replay <source-topic> (--offset <p>:<o> … | --all) [--force]
                                                 produce dead letters back to their source topic (original key, value and
                                                 headers, plus replayed-from); each once, unless --force

users (applied by auth, which answers)
  user disable <username>                        no login or refresh (403 account_disabled); every session ends (sockets close 4004)
  user enable <username>                         lifts disable
  user revoke-sessions <username>                every session ends: sockets close (4004), refresh tokens stop working
  user grant-admin <username>                    the administrator role, in tokens issued from now on
  user revoke-admin <username>                   takes the role away and ends every session of the user

  announce <text> [--expires-in <duration>]      an announcement to everyone (default 1d; 1m … 30d), sent as the operator
  lag [--group <id>]                             consumer lag per group, topic and partition, with totals

Kafka ACLs (the plan of libs/protocol kafka-acls.ts: one principal per service, gateway-<id> per gateway)
  acls print [--bootstrap-server <host:port>] [--command-config <file>] [--gateway-ids <id,id,…>]
                                                 the plan as kafka-acls.sh commands, one a line; connects to nothing
  acls apply [--gateway-ids <id,id,…>] [--prune] creates the plan's ACLs the broker lacks (as admin), says which it
                                                 created and which it had; --prune deletes the services' ACLs outside it
                                                 --gateway-ids: the gateways' INSTANCE_IDs, each its principal gateway-<id>;
                                                 without it no gateway's ACLs are planned, listed or pruned

options of every command
  --json               machine-readable output on stdout
  --timeout <duration> how long to wait for Kafka and for answers (default 30s)
  --verbose            log Kafka client warnings to stderr
  -h, --help           this text

durations: 90s, 30m, 2h, 7d (or 500ms)
exit status: 0 done, 1 failed (the message says what), 2 usage error (the message names the argument)`;

/** Reads a command line; throws UsageError naming the bad argument. */
export function parseInvocation(args: readonly string[]): Invocation {
  let parsed;
  try {
    parsed = parseCommandLine(args, OPTIONS);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals, given } = parsed;
  const json = values.json === true;
  const verbose = values.verbose === true;
  const timeoutMs = values.timeout === undefined ? DEFAULT_TIMEOUT_MS : parseDuration('--timeout', values.timeout);
  if (timeoutMs < 1000) throw new UsageError(`--timeout must be at least 1s, got ${values.timeout}`);
  const invocation = (command: Command): Invocation => ({ command, json, timeoutMs, verbose });
  if (values.help || positionals.length === 0) return invocation({ kind: 'help' });

  const [group, sub, ...rest] = positionals;
  const name = group === 'dlq' || group === 'acls' ? `${group} ${sub ?? ''}` : group === 'user' ? 'user' : group;
  const allowed = COMMAND_OPTIONS[name];
  if (!allowed) {
    if (group === 'dlq') throw new UsageError(sub === undefined ? 'dlq needs a subcommand: list, inspect or replay' : `unknown dlq subcommand ${sub} (list, inspect, replay)`);
    if (group === 'acls') throw new UsageError(sub === undefined ? 'acls needs a subcommand: print or apply' : `unknown acls subcommand ${sub} (print, apply)`);
    throw new UsageError(`unknown command ${group} (dlq, user, announce, lag, acls; --help lists them)`);
  }
  for (const option of given) {
    if (!GLOBAL_OPTIONS.includes(option.name as OptionName) && !allowed.includes(option.name as OptionName)) throw new UsageError(`${option.flag} is not an option of ${name}`);
  }

  switch (name) {
    case 'dlq list': {
      expectPositionals(name, rest, []);
      return invocation({ kind: 'dlq-list', sourceTopic: values.topic === undefined ? undefined : sourceTopicArg('--topic', values.topic), limit: values.limit === undefined ? DEFAULT_DLQ_LIMIT : positiveInt('--limit', values.limit) });
    }
    case 'dlq inspect': {
      const [topic, position] = expectPositionals(name, rest, ['<source-topic>', '<partition>:<offset>']);
      return invocation({ kind: 'dlq-inspect', sourceTopic: sourceTopicArg('<source-topic>', topic), position: parsePosition('<partition>:<offset>', position) });
    }
    case 'dlq replay': {
      const [topic] = expectPositionals(name, rest, ['<source-topic>']);
      const offsets = uniquePositions(given.filter((option) => option.name === 'offset').map((option) => parsePosition('--offset', option.value ?? '')));
      if (values.all && offsets.length > 0) throw new UsageError('--all and --offset exclude each other');
      if (!values.all && offsets.length === 0) throw new UsageError('dlq replay needs --offset <partition>:<offset> (one or more) or --all');
      return invocation({ kind: 'dlq-replay', sourceTopic: sourceTopicArg('<source-topic>', topic), positions: values.all ? 'all' : offsets, force: values.force === true });
    }
    case 'user': {
      const action = sub === undefined ? undefined : USER_ACTIONS[sub];
      if (!action) throw new UsageError(sub === undefined ? `user needs an action: ${Object.keys(USER_ACTIONS).join(', ')}` : `unknown user action ${sub} (${Object.keys(USER_ACTIONS).join(', ')})`);
      const [username] = expectPositionals(`user ${sub}`, rest, ['<username>']);
      if (!USERNAME_PATTERN.test(username)) throw new UsageError(`<username> "${username.slice(0, 40)}" is not a username (3-32 characters of A-Z, a-z, 0-9, _, . and -)`);
      return invocation({ kind: 'user', action, username });
    }
    case 'announce': {
      const [text] = expectPositionals(name, [sub, ...rest].filter((arg): arg is string => arg !== undefined), ['<text>']);
      const body = MessageBodySchema.safeParse(text);
      if (!body.success) throw new UsageError(`<text>: ${body.error.issues[0]?.message ?? 'not a valid announcement body'}`);
      const expiresInSeconds = values['expires-in'] === undefined ? DEFAULT_ANNOUNCEMENT_EXPIRY_SECONDS : Math.floor(parseDuration('--expires-in', values['expires-in']) / 1000);
      if (expiresInSeconds < MIN_ANNOUNCEMENT_EXPIRY_SECONDS || expiresInSeconds > MAX_ANNOUNCEMENT_EXPIRY_SECONDS) {
        throw new UsageError(`--expires-in must be between 1m and 30d, got ${values['expires-in']}`);
      }
      return invocation({ kind: 'announce', text, expiresInSeconds });
    }
    case 'lag': {
      expectPositionals(name, [sub, ...rest].filter((arg): arg is string => arg !== undefined), []);
      return invocation({ kind: 'lag', group: values.group });
    }
    case 'acls print': {
      expectPositionals(name, rest, []);
      return invocation({
        kind: 'acls-print',
        bootstrapServer: values['bootstrap-server'] === undefined ? undefined : shellWord('--bootstrap-server', values['bootstrap-server'], /^[A-Za-z0-9.-]+:\d{1,5}(,[A-Za-z0-9.-]+:\d{1,5})*$/, 'host:port[,host:port…]'),
        commandConfig: values['command-config'] === undefined ? undefined : shellWord('--command-config', values['command-config'], /^[A-Za-z0-9._/~-]+$/, 'a file path of A-Z a-z 0-9 . _ / ~ -'),
        ...gatewayIdsArg(values['gateway-ids']),
      });
    }
    case 'acls apply': {
      expectPositionals(name, rest, []);
      return invocation({ kind: 'acls-apply', prune: values.prune === true, ...gatewayIdsArg(values['gateway-ids']) });
    }
  }
  throw new UsageError(`unknown command ${group}`);
}

function expectPositionals(command: string, args: readonly string[], names: readonly string[]): string[] {
  if (args.length < names.length) throw new UsageError(`${command} needs ${names.slice(args.length).join(' ')}`);
  if (args.length > names.length) throw new UsageError(`${command} takes ${names.length === 0 ? 'no arguments' : names.join(' ')}; unexpected "${args[names.length]}"`);
  return [...args];
}

/** `--gateway-ids a,b,c`: gateway instance ids (each a valid gatewayPrincipal), without repeats. */
function gatewayIdsArg(value: string | undefined): { gatewayIds?: string[] } {
  if (value === undefined) return {};
  const ids = value.split(',').map((id) => id.trim());
  for (const id of ids) {
    try {
      gatewayPrincipal(id);
    } catch {
      throw new UsageError(`--gateway-ids needs gateway ids (INSTANCE_IDs: 1-60 characters of a-z, 0-9 and -) separated by commas, got "${id.slice(0, 60)}"`);
    }
  }
  return { gatewayIds: [...new Set(ids)] };
}

/** What `acls print` writes into commands run by a shell: only characters that need no quoting. */
function shellWord(name: string, value: string, pattern: RegExp, expected: string): string {
  if (!pattern.test(value)) throw new UsageError(`${name} needs ${expected}, got "${value.slice(0, 60)}"`);
  return value;
}

/**
 * A source topic as operators name it (`chat.commands`, `chat.delivery.gw-1`); its dead letters are in
 * `<topic>.dlq`, a delivery topic's in the shared `chat.deliveries.dlq`.
 */
function sourceTopicArg(name: string, value: string): string {
  if (!/^[A-Za-z0-9._-]{1,245}$/.test(value)) throw new UsageError(`${name} "${value.slice(0, 60)}" is not a topic name`);
  if (value === DELIVERY_DEAD_LETTER_TOPIC || (!isDeliveryTopic(value) && deadLetterTopicOf(value).name === DELIVERY_DEAD_LETTER_TOPIC)) {
    throw new UsageError(`${name}: ${DELIVERY_DEAD_LETTER_TOPIC} holds the dead letters of every gateway's delivery topic: name one, chat.delivery.<gatewayId> (dlq list shows each dead letter's source)`);
  }
  if (value.endsWith(DLQ_SUFFIX)) throw new UsageError(`${name} names the source topic, not its dead-letter topic: ${value.slice(0, -DLQ_SUFFIX.length)}`);
  return value;
}

export function parsePosition(name: string, value: string): DeadLetterPosition {
  const match = /^(\d{1,9}):(\d{1,19})$/.exec(value);
  if (!match) throw new UsageError(`${name} needs <partition>:<offset>, e.g. 0:17, got "${value.slice(0, 40)}"`);
  return { partition: Number(match[1]), offset: BigInt(match[2] as string) };
}

/** Each position once, in the order first given: a dead letter is replayed once per run. */
function uniquePositions(positions: DeadLetterPosition[]): DeadLetterPosition[] {
  const seen = new Set<string>();
  return positions.filter((position) => {
    const key = `${position.partition}:${position.offset}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function positiveInt(name: string, value: string): number {
  if (!/^\d{1,9}$/.test(value) || Number(value) < 1) throw new UsageError(`${name} needs an integer ≥ 1, got ${value}`);
  return Number(value);
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `30m`, `2h`, `7d`, `500ms` in milliseconds. */
export function parseDuration(name: string, value: string): number {
  const match = /^(\d{1,9})(ms|s|m|h|d)$/.exec(value.trim());
  if (!match) throw new UsageError(`${name} needs a duration like 90s, 30m, 2h or 7d, got "${value.slice(0, 40)}"`);
  return Number(match[1]) * (UNIT_MS[match[2] as string] as number);
}
