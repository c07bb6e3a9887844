import type { ClientMode } from '../workers/messages';

export const SCENARIOS = ['idle', 'direct', 'fanout', 'storm', 'max', 'reconnect-storm'] as const;
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
  jwtSecret?: string;
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
  payloadBytes: number;
  // scenarios
  connections: number;
  connectRate: number;
  holdSeconds: number;
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
  baselineMessages: number;
  // output
  json?: string;
  html?: string;
}

export const USAGE = `usage: node dist/tools/loadgen/main.js <scenario...|all> [options]

scenarios: idle direct fanout storm max reconnect-storm (all = every one, with the baselines first)

the suite (default: start one: Kafka + PostgreSQL in a temp dir, the five services on free ports)
  --gateways N                 gateway processes to start (default 3)
  --kafka-brokers HOST:PORT    use this broker instead of starting one (with --auth-url: only to read consumer lag)
  --database-url-template URL  use this PostgreSQL; __database__ stands for the database name
  --auth-url URL --gateway-urls ws://…/ws,… [--metrics-url URL] [--jwt-secret S]
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

scenario settings
  --connections N              idle: connections (default 50000)
  --connect-rate N             idle: new connections per second (default 2500; 0 = all at once)
  --hold-s N                   idle: hold time after all are connected (default 45: three heartbeat rounds)
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
    payloadBytes: 100,
    connections: 50_000,
    connectRate: 2500,
    holdSeconds: 45,
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
    baselineMessages: 20_000,
  };
  let baselinesFlag: boolean | undefined;
  let all = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    };
    const int = (min = 0) => positiveInt(arg.slice(2), value(), min);
    switch (arg) {
      case '--gateways':
        options.gateways = int(1);
        break;
      case '--kafka-brokers':
        options.kafkaBrokers = value();
        break;
      case '--database-url-template':
        options.databaseUrlTemplate = value();
        break;
      case '--auth-url':
        options.authUrl = value();
        options.startSuite = false;
        break;
      case '--gateway-urls':
        options.gatewayUrls = list(value());
        break;
      case '--metrics-url':
        options.metricsUrl = value();
        break;
      case '--jwt-secret':
        options.jwtSecret = value();
        break;
      case '--log-level':
        options.logLevel = value();
        break;
      case '--cpu-prof':
        options.cpuProfDir = value();
        break;
      case '--per-gateway':
        options.perGateway = int(1);
        break;
      case '--workers':
        options.workers = int(1);
        break;
      case '--source-addresses':
        options.sourceAddresses = list(value());
        break;
      case '--client': {
        const mode = value();
        if (mode !== 'sdk' && mode !== 'light') throw new Error(`--client is sdk or light, got ${mode}`);
        options.clientMode = mode;
        break;
      }
      case '--payload-bytes':
        options.payloadBytes = int(1);
        break;
      case '--connections':
        options.connections = int(1);
        break;
      case '--connect-rate':
        options.connectRate = int(0);
        break;
      case '--hold-s':
        options.holdSeconds = int(0);
        break;
      case '--rate':
        options.rate = int(1);
        break;
      case '--duration-s':
        options.durationSeconds = int(1);
        break;
      case '--pairs':
        options.pairs = int(1);
        break;
      case '--fanout-sizes':
        options.fanoutSizes = list(value()).map((size) => positiveInt('fanout-sizes', size, 2));
        break;
      case '--fanout-members':
        options.fanoutMembers = int(2);
        break;
      case '--fanout-rate':
        options.fanoutRate = int(1);
        break;
      case '--fanout-s':
        options.fanoutSeconds = int(1);
        break;
      case '--storm-connections':
        options.stormConnections = int(1);
        break;
      case '--max-start':
        options.maxStart = int(1);
        break;
      case '--max-step':
        options.maxStep = int(1);
        break;
      case '--max-step-s':
        options.maxStepSeconds = int(1);
        break;
      case '--max-steps':
        options.maxSteps = int(1);
        break;
      case '--reconnect-connections':
        options.reconnectConnections = int(1);
        break;
      case '--reconnect-chat-rate':
        options.reconnectChatRate = int(1);
        break;
      case '--baselines':
        baselinesFlag = true;
        break;
      case '--no-baselines':
        baselinesFlag = false;
        break;
      case '--baseline-messages':
        options.baselineMessages = int(1);
        break;
      case '--json':
        options.json = value();
        break;
      case '--html':
        options.html = value();
        break;
      default:
        if (arg.startsWith('--')) throw new Error(`unknown option ${arg}`);
        if (arg === 'all') all = true;
        else if ((SCENARIOS as readonly string[]).includes(arg)) options.scenarios.push(arg as ScenarioName);
        else if (arg !== 'baselines') throw new Error(`unknown scenario ${arg} (one of ${SCENARIOS.join(', ')}, all)`);
        else baselinesFlag = true;
    }
  }
  if (all) options.scenarios = [...SCENARIOS];
  options.baselines = baselinesFlag ?? all;
  if (options.scenarios.length === 0 && !options.baselines) throw new Error('name at least one scenario (or all)');
  if (!options.startSuite && options.gatewayUrls.length === 0) throw new Error('--auth-url needs --gateway-urls');
  return options;
}
