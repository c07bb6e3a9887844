/** The faults the harness can inject, in the order it injects them. */
export const FAULTS = ['gateway', 'router', 'persistence', 'auth', 'metrics', 'kafka', 'postgres', 'slow-consumer'] as const;
export type FaultName = (typeof FAULTS)[number];

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
  --faults LIST      all | none | comma list of ${FAULTS.join(', ')} (default all)
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

export function parseOptions(argv: string[]): HarnessOptions {
  const options: HarnessOptions = { durationS: 600, users: 40, groups: 4, groupSize: 8, rate: 50, faults: [...FAULTS], seed: 1, sabotage: [], keep: false };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i];
    const value = (): string | undefined => argv[++i];
    switch (flag) {
      case '--duration-s':
        options.durationS = positiveInt('duration-s', value());
        break;
      case '--users':
        options.users = positiveInt('users', value(), { min: 3 });
        break;
      case '--groups':
        options.groups = positiveInt('groups', value(), { min: 0 });
        break;
      case '--group-size':
        options.groupSize = positiveInt('group-size', value(), { min: 2 });
        break;
      case '--rate':
        options.rate = positiveInt('rate', value());
        break;
      case '--faults':
        options.faults = list('faults', value(), FAULTS);
        break;
      case '--json':
        options.jsonFile = value();
        if (!options.jsonFile) throw new UsageError('--json needs a file name');
        break;
      case '--seed':
        options.seed = positiveInt('seed', value(), { min: 0 });
        break;
      case '--sabotage':
        options.sabotage = list('sabotage', value(), SABOTAGES);
        break;
      case '--keep':
        options.keep = true;
        break;
      default:
        throw new UsageError(`unknown option ${flag}`);
    }
  }
  if (options.groupSize > options.users) throw new UsageError(`--group-size ${options.groupSize} is more than --users ${options.users}`);
  return options;
}
