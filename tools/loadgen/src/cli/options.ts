import { readFileSync } from 'node:fs';
import { parsePrivateKey, type SigningKey } from '@chat/auth-tokens';
import { type CommandLineOptions, parseCommandLine } from '@chat/helpers';
import { type CodecName, CodecNames } from '@chat/protocol';
import type { ClientMode } from '../workers/messages';

export const SCENARIOS = ['idle', 'announce', 'direct', 'fanout', 'storm', 'max', 'read-storm', 'reconnect-storm'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface LoadOptions {
  scenarios: ScenarioName[];
  baselines: boolean;
  // the suite
  startSuite: boolean;
  gateways: number;
  kafkaBrokers?: string;
  databaseUrlTemplate?: string;
  authUrl?: string;
  gatewayUrls: string[];
  metricsUrl?: string;
  /** Auth's signing key, to mint tokens for a suite the load generator did not start (--jwt-private-key, --jwt-key-id). */
  jwtSigningKey?: SigningKey;
  logLevel: string;
  cpuProfDir?: string;
  perGateway: number;
  // the load generator
  workers?: number;
  sourceAddresses: string[];
  /**
   * Unset: `light` for idle and storm (connection scale); for direct, max and fanout `light` from
   * 1,000 messages/s (fanout: deliveries/s) on, else `sdk`; `sdk` for reconnect-storm (catch-up).
   */
  clientMode?: ClientMode;
  /** The wire codecs to run each scenario with, one run per codec (bytes and CPU per frame compared at the end). */
  codecs: CodecName[];
  payloadBytes: number;
  // scenarios
  connections: number;
  connectRate: number;
  holdSeconds: number;
  announcements: number;
  rate: number;
  durationSeconds: number;
  pairs?: number;
  fanoutSizes: number[];
  fanoutMembers: number;
  fanoutRate: number;
  fanoutSeconds: number;
  stormConnections: number;
  maxStart: number;
  maxStep: number;
  maxStepSeconds: number;
  maxSteps: number;
  reconnectConnections: number;
  reconnectChatRate: number;
  readStormRate: number;
  readStormSeconds: number;
  readStormUsers: number;
  baselineMessages: number;
  // output
  json?: string;
  html?: string;
}

export const USAGE = `usage: node dist/tools/loadgen/main.js <scenario...|all> [options]

scenarios: idle announce direct fanout storm max read-storm reconnect-storm (all = every one, with the baselines first)

the suite (default: start one: Kafka + PostgreSQL in a temp dir, the five services on free ports)
  --gateways N                 gateway processes to start (default 3)
  --kafka-brokers HOST:PORT    use this broker instead of starting one (with --auth-url: only to read consumer lag)
  --database-url-template URL  use this PostgreSQL; __database__ stands for the database name
  --auth-url URL --gateway-urls ws://…/ws,… [--metrics-url URL] [--jwt-private-key PEM-FILE --jwt-key-id KID]
                               run against a suite that is already running (nothing is started)
  --log-level LEVEL            services' log level (default warn: per-connection info lines cost CPU)
  --cpu-prof DIR               start the services with --cpu-prof; print their top functions at the end
  --per-gateway N              most clients idle puts on one gateway, filled in order (default 19000)

the load generator
  --workers N                  worker processes (default: enough for 18,000 sockets each)
  --source-addresses A,B,…     bind clients to these local addresses, round robin (e.g. 127.0.0.2,127.0.0.3)
  --client sdk|light           ChatClient per connection, or the SDK's socket layer with a minimal frame loop
                               (default: light for idle and storm, where ready = authenticated; light for
                               direct, max and fanout from 1000 msgs/s on (max: its top step; fanout: deliveries/s),
                               so the generator is not what saturates, else sdk; sdk for reconnect-storm)
  --payload-bytes N            message body size (default 100)
  --codec json|protobuf|json,protobuf
                               the clients' wire codec (WebSocket subprotocol; default json); with both, every
                               scenario runs once per codec and a table compares bytes and gateway CPU per frame

scenario settings
  --connections N              idle, announce: connections (default 50000)
  --connect-rate N             idle, announce: new connections per second (default 2500; 0 = all at once)
  --hold-s N                   idle: hold time after all are connected (default 45: three heartbeat rounds)
  --announcements N            announce: announcements sent one after another (default 3; the server allows
                               ANNOUNCEMENTS_PER_ADMIN_PER_HOUR, 20, per administrator and hour)
  --rate N --duration-s N      direct: messages/s in total and seconds (default 1000 for 60)
  --pairs N                    direct/max: user pairs (default rate/10, each user sending ≤ 5/s)
  --fanout-sizes 100,1000      fanout: group sizes, one phase each
  --fanout-members N           fanout: users (default 1000; groups of size s = N/s disjoint groups)
  --fanout-rate N              fanout: messages/s posted per phase (default 100)
  --fanout-s N                 fanout: seconds per phase (default 30)
  --storm-connections N        storm: clients connecting at once (default 20000)
  --max-start N --max-step N   max: first rate and increment (default 1000 and 1000)
  --max-step-s N --max-steps N max: seconds per step (default 60) and most steps (default 10)
  --reconnect-connections N    reconnect-storm: clients over all gateways (default 9000)
  --reconnect-chat-rate N      reconnect-storm: messages/s between unaffected clients (default 50)
  --read-storm-rate N          read-storm: messages/s of chat, baseline and during the storm (default 100)
  --read-storm-s N             read-storm: seconds of each phase (default 20)
  --read-storm-users N         read-storm: users flooding reads, each up to its read quota (default 20)
  --baselines / --no-baselines raw kafkajs and ws baselines first (default on for all)
  --baseline-messages N        messages per baseline (default 20000)

output
  --json FILE                  the whole result as JSON
  --html FILE                  a self-contained chart (inline SVG) of latency and throughput per second`;

function positiveInt(name: string, raw: string | undefined, min = 0): number {
  const value = Number(raw);
  if (raw === undefined || !Number.isInteger(value) || value < min) throw new Error(`--${name} needs an integer ≥ ${min}, got ${raw ?? 'nothing'}`);
  return value;
}

function list(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/** Every option of USAGE, for parseArgs (node:util); each one's meaning is in parseOptions. */
const OPTIONS = {
  gateways: { type: 'string' },
  'kafka-brokers': { type: 'string' },
  'database-url-template': { type: 'string' },
  'auth-url': { type: 'string' },
  'gateway-urls': { type: 'string' },
  'metrics-url': { type: 'string' },
  'jwt-private-key': { type: 'string' },
  'jwt-key-id': { type: 'string' },
  'log-level': { type: 'string' },
  'cpu-prof': { type: 'string' },
  'per-gateway': { type: 'string' },
  workers: { type: 'string' },
  'source-addresses': { type: 'string' },
  client: { type: 'string' },
  codec: { type: 'string' },
  'payload-bytes': { type: 'string' },
  connections: { type: 'string' },
  'connect-rate': { type: 'string' },
  'hold-s': { type: 'string' },
  announcements: { type: 'string' },
  rate: { type: 'string' },
  'duration-s': { type: 'string' },
  pairs: { type: 'string' },
  'fanout-sizes': { type: 'string' },
  'fanout-members': { type: 'string' },
  'fanout-rate': { type: 'string' },
  'fanout-s': { type: 'string' },
  'storm-connections': { type: 'string' },
  'max-start': { type: 'string' },
  'max-step': { type: 'string' },
  'max-step-s': { type: 'string' },
  'max-steps': { type: 'string' },
  'reconnect-connections': { type: 'string' },
  'reconnect-chat-rate': { type: 'string' },
  'read-storm-rate': { type: 'string' },
  'read-storm-s': { type: 'string' },
  'read-storm-users': { type: 'string' },
  baselines: { type: 'boolean' },
  'no-baselines': { type: 'boolean' },
  'baseline-messages': { type: 'string' },
  json: { type: 'string' },
  html: { type: 'string' },
} as const satisfies CommandLineOptions;

/** The options of a command line; throws with a message for the user (unknown option, bad value). */
export function parseOptions(argv: string[]): LoadOptions {
  const options: LoadOptions = {
    scenarios: [],
    baselines: false,
    startSuite: true,
    gateways: 3,
    gatewayUrls: [],
    logLevel: 'warn',
    perGateway: 19_000,
    sourceAddresses: [],
    codecs: ['json'],
    payloadBytes: 100,
    connections: 50_000,
    connectRate: 2500,
    holdSeconds: 45,
    announcements: 3,
    rate: 1000,
    durationSeconds: 60,
    fanoutSizes: [100, 1000],
    fanoutMembers: 1000,
    fanoutRate: 100,
    fanoutSeconds: 30,
    stormConnections: 20_000,
    maxStart: 1000,
    maxStep: 1000,
    maxStepSeconds: 60,
    maxSteps: 10,
    reconnectConnections: 9000,
    reconnectChatRate: 50,
    readStormRate: 100,
    readStormSeconds: 20,
    readStormUsers: 20,
    baselineMessages: 20_000,
  };
  const { values, positionals, given } = parseCommandLine(argv, OPTIONS);
  type IntOption = { [K in keyof typeof OPTIONS]: (typeof OPTIONS)[K]['type'] extends 'string' ? K : never }[keyof typeof OPTIONS];
  /** The option's integer, checked against `min`; undefined when the option is not given. */
  const int = (name: IntOption, min: number): number | undefined => (values[name] === undefined ? undefined : positiveInt(name, values[name], min));
  options.gateways = int('gateways', 1) ?? options.gateways;
  options.kafkaBrokers = values['kafka-brokers'];
  options.databaseUrlTemplate = values['database-url-template'];
  if (values['auth-url'] !== undefined) {
    options.authUrl = values['auth-url'];
    options.startSuite = false;
  }
  if (values['gateway-urls'] !== undefined) options.gatewayUrls = list(values['gateway-urls']);
  options.metricsUrl = values['metrics-url'];
  if ((values['jwt-private-key'] === undefined) !== (values['jwt-key-id'] === undefined)) throw new Error('--jwt-private-key and --jwt-key-id go together (auth\'s JWT_PRIVATE_KEY and JWT_KEY_ID)');
  if (values['jwt-private-key'] !== undefined && values['jwt-key-id'] !== undefined) options.jwtSigningKey = { kid: values['jwt-key-id'], privateKey: parsePrivateKey(readFileSync(values['jwt-private-key'], 'utf8')) };
  options.logLevel = values['log-level'] ?? options.logLevel;
  options.cpuProfDir = values['cpu-prof'];
  options.perGateway = int('per-gateway', 1) ?? options.perGateway;
  options.workers = int('workers', 1);
  if (values['source-addresses'] !== undefined) options.sourceAddresses = list(values['source-addresses']);
  const mode = values.client;
  if (mode !== undefined && mode !== 'sdk' && mode !== 'light') throw new Error(`--client is sdk or light, got ${mode}`);
  options.clientMode = mode;
  if (values.codec !== undefined) {
    const codecs = list(values.codec);
    const unknown = codecs.find((codec) => !(CodecNames as readonly string[]).includes(codec));
    if (unknown !== undefined || codecs.length === 0) throw new Error(`--codec is ${CodecNames.join(', ')} or a list of them, got ${values.codec}`);
    options.codecs = [...new Set(codecs)] as CodecName[];
  }
  options.payloadBytes = int('payload-bytes', 1) ?? options.payloadBytes;
  options.connections = int('connections', 1) ?? options.connections;
  options.connectRate = int('connect-rate', 0) ?? options.connectRate;
  options.holdSeconds = int('hold-s', 0) ?? options.holdSeconds;
  options.announcements = int('announcements', 1) ?? options.announcements;
  options.rate = int('rate', 1) ?? options.rate;
  options.durationSeconds = int('duration-s', 1) ?? options.durationSeconds;
  options.pairs = int('pairs', 1);
  if (values['fanout-sizes'] !== undefined) options.fanoutSizes = list(values['fanout-sizes']).map((size) => positiveInt('fanout-sizes', size, 2));
  options.fanoutMembers = int('fanout-members', 2) ?? options.fanoutMembers;
  options.fanoutRate = int('fanout-rate', 1) ?? options.fanoutRate;
  options.fanoutSeconds = int('fanout-s', 1) ?? options.fanoutSeconds;
  options.stormConnections = int('storm-connections', 1) ?? options.stormConnections;
  options.maxStart = int('max-start', 1) ?? options.maxStart;
  options.maxStep = int('max-step', 1) ?? options.maxStep;
  options.maxStepSeconds = int('max-step-s', 1) ?? options.maxStepSeconds;
  options.maxSteps = int('max-steps', 1) ?? options.maxSteps;
  options.reconnectConnections = int('reconnect-connections', 1) ?? options.reconnectConnections;
  options.reconnectChatRate = int('reconnect-chat-rate', 1) ?? options.reconnectChatRate;
  options.readStormRate = int('read-storm-rate', 1) ?? options.readStormRate;
  options.readStormSeconds = int('read-storm-s', 1) ?? options.readStormSeconds;
  options.readStormUsers = int('read-storm-users', 1) ?? options.readStormUsers;
  options.baselineMessages = int('baseline-messages', 1) ?? options.baselineMessages;
  options.json = values.json;
  options.html = values.html;

  let all = false;
  for (const arg of positionals) {
    if (arg === 'all') all = true;
    else if ((SCENARIOS as readonly string[]).includes(arg)) options.scenarios.push(arg as ScenarioName);
    else if (arg !== 'baselines') throw new Error(`unknown scenario ${arg} (one of ${SCENARIOS.join(', ')}, all)`);
  }
  // --baselines and --no-baselines: the last one given decides; the word `baselines` among the scenarios means --baselines.
  const baselinesOption = given.filter((option) => option.name === 'baselines' || option.name === 'no-baselines').at(-1);
  const baselinesFlag = baselinesOption ? baselinesOption.name === 'baselines' : positionals.includes('baselines') || undefined;
  if (all) options.scenarios = [...SCENARIOS];
  options.baselines = baselinesFlag ?? all;
  if (options.scenarios.length === 0 && !options.baselines) throw new Error('name at least one scenario (or all)');
  if (!options.startSuite && options.gatewayUrls.length === 0) throw new Error('--auth-url needs --gateway-urls');
  return options;
}
