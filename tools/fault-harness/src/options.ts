import { type CommandLine, CommandLineError, type CommandLineOptions, parseCommandLine } from '@chat/helpers';

/** The faults the harness can inject, in the order it injects them. */
export const FAULTS = ['gateway', 'router', 'persistence', 'auth', 'metrics', 'kafka', 'kill-leader', 'postgres', 'slow-consumer'] as const;
export type FaultName = (typeof FAULTS)[number];
/** Faults that need one broker (`kafka`: the broker restarted) or several (`kill-leader`: the others take over). */
const SINGLE_BROKER_FAULTS: readonly FaultName[] = ['kafka'];
const MULTI_BROKER_FAULTS: readonly FaultName[] = ['kill-leader'];

/** How long kill-leader keeps the killed broker down before starting it again. */
export const KILL_LEADER_DOWN_S = 15;

/** The faults that make sense on a cluster of `brokers` brokers (`all` means these). */
export function faultsFor(brokers: number): FaultName[] {
  const excluded = brokers > 1 ? SINGLE_BROKER_FAULTS : MULTI_BROKER_FAULTS;
  return FAULTS.filter((fault) => !excluded.includes(fault));
}

/** Deliberate damage done after traffic and before checking, on the real database or device log, to prove the checker fails. */
export const SABOTAGES = ['delete-stored-message', 'drop-delivery'] as const;
export type Sabotage = (typeof SABOTAGES)[number];

export interface HarnessOptions {
  durationS: number;
  users: number;
  groups: number;
  groupSize: number;
  /** Messages per second over all devices. */
  rate: number;
  faults: FaultName[];
  jsonFile?: string;
  seed: number;
  sabotage: Sabotage[];
  /** Keep the temp dir (logs of every process) instead of removing it. */
  keep: boolean;
  /** Kafka brokers (KRaft nodes, each broker and controller); topics get min(3, brokers) replicas. */
  brokers: number;
}

export const USAGE = `usage: node dist/tools/fault-harness/main.js [options]

Starts its own Kafka, PostgreSQL and services (two gateways) on free ports, drives SDK clients
exchanging direct and group messages, injects faults one at a time, then reconciles the clients'
logs with the database. Exit 0 only if nothing was lost, duplicated, reordered or left with a gap.

  --duration-s N     seconds of traffic (default 600); faults are spread over it
  --users N          users (default 40; every fourth has two devices)
  --groups N         group conversations (default 4)
  --group-size N     members per group (default 8)
  --rate N           messages per second over all devices (default 50)
  --brokers N        Kafka brokers, one JVM each (default 1); with 3, topics have 3 replicas
                     and min.insync.replicas 2
  --faults LIST      all | none | comma list of ${FAULTS.join(', ')}
                     (default all: kafka, the broker's SIGKILL and restart, with one broker;
                     kill-leader, SIGKILL of the leader of the busiest chat.commands partitions
                     and its restart ${KILL_LEADER_DOWN_S} s later, with several)
  --json FILE        also write the report as JSON
  --seed N           seed of the traffic's randomness (default 1)
  --sabotage LIST    ${SABOTAGES.join(', ')}: damage the run on purpose before checking (must exit 1)
  --keep             keep the temp dir with every process's log`;

export class UsageError extends Error {}

function positiveInt(name: string, raw: string | undefined, { min = 1 }: { min?: number } = {}): number {
  const value = Number(raw);
  if (raw === undefined || !Number.isInteger(value) || value < min) throw new UsageError(`--${name} needs an integer ≥ ${min}, got ${raw ?? 'nothing'}`);
  return value;
}

function list<T extends string>(name: string, raw: string | undefined, allowed: readonly T[]): T[] {
  if (raw === undefined) throw new UsageError(`--${name} needs a value`);
  if (raw === 'all') return [...allowed];
  if (raw === 'none' || raw === '') return [];
  const items = raw.split(',').map((item) => item.trim());
  const unknown = items.filter((item) => !(allowed as readonly string[]).includes(item));
  if (unknown.length > 0) throw new UsageError(`--${name}: unknown ${unknown.join(', ')} (known: ${allowed.join(', ')})`);
  // In the canonical order, each once.
  return allowed.filter((item) => items.includes(item));
}

/** Every option of USAGE, for parseArgs (node:util). */
const OPTIONS = {
  'duration-s': { type: 'string' },
  users: { type: 'string' },
  groups: { type: 'string' },
  'group-size': { type: 'string' },
  rate: { type: 'string' },
  faults: { type: 'string' },
  json: { type: 'string' },
  seed: { type: 'string' },
  sabotage: { type: 'string' },
  keep: { type: 'boolean' },
  brokers: { type: 'string' },
} as const satisfies CommandLineOptions;

export function parseOptions(argv: string[]): HarnessOptions {
  const options: HarnessOptions = { durationS: 600, users: 40, groups: 4, groupSize: 8, rate: 50, faults: [], seed: 1, sabotage: [], keep: false, brokers: 1 };
  let values: CommandLine<typeof OPTIONS>['values'];
  try {
    let positionals: string[];
    ({ values, positionals } = parseCommandLine(argv, OPTIONS));
    // The harness takes options only.
    if (positionals.length > 0) throw new CommandLineError(`unknown option ${positionals[0]}`);
  } catch (error) {
    throw error instanceof CommandLineError ? new UsageError(error.message) : error;
  }
  const int = (name: 'duration-s' | 'users' | 'groups' | 'group-size' | 'rate' | 'seed' | 'brokers', min?: number) =>
    values[name] === undefined ? undefined : positiveInt(name, values[name], { min });
  options.durationS = int('duration-s') ?? options.durationS;
  options.users = int('users', 3) ?? options.users;
  options.groups = int('groups', 0) ?? options.groups;
  options.groupSize = int('group-size', 2) ?? options.groupSize;
  options.rate = int('rate') ?? options.rate;
  options.brokers = int('brokers') ?? options.brokers;
  if (options.brokers > 5) throw new UsageError(`--brokers ${options.brokers}: at most 5 on one machine`);
  const possible = faultsFor(options.brokers);
  options.faults = values.faults === undefined || values.faults === 'all' ? possible : list('faults', values.faults, FAULTS);
  const impossible = options.faults.filter((fault) => !possible.includes(fault));
  if (impossible.length > 0) {
    throw new UsageError(`--faults ${impossible.join(', ')} cannot be injected with --brokers ${options.brokers} (possible: ${possible.join(', ')})`);
  }
  if (values.json !== undefined) {
    if (!values.json) throw new UsageError('--json needs a file name');
    options.jsonFile = values.json;
  }
  options.seed = int('seed', 0) ?? options.seed;
  if (values.sabotage !== undefined) options.sabotage = list('sabotage', values.sabotage, SABOTAGES);
  options.keep = values.keep ?? false;
  if (options.groupSize > options.users) throw new UsageError(`--group-size ${options.groupSize} is more than --users ${options.users}`);
  return options;
}
