import { readdirSync, readFileSync } from 'node:fs';

/** Kernel clock ticks per second, the unit of utime/stime in /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const CLOCK_TICKS_PER_SECOND = 100;

/** The fields of one /proc/<pid>/stat line this tool uses. Times are in clock ticks. */
export interface ProcStat {
  pid: number;
  comm: string;
  /** R, S, D, Z (zombie: exited, not yet reaped by its parent), … */
  state: string;
  ppid: number;
  /** utime + stime: the process itself, all its threads. */
  ownTicks: number;
  /** cutime + cstime: children it has waited for (reaped), with what those had reaped in turn. */
  reapedChildrenTicks: number;
}

/**
 * Parses a /proc/<pid>/stat line (`pid (comm) state ppid … utime stime cutime cstime …`), or
 * undefined when it is not one. The command name may contain spaces and parentheses, so the fields
 * after it are counted from the last ')'.
 */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  // fields[0] is field 3 of proc(5) (state): ppid is field 4, utime…cstime fields 14–17.
  const fields = text.slice(close + 1).trim().split(/\s+/);
  const number = (index: number) => Number(fields[index]);
  const values = [pid, number(1), number(11), number(12), number(13), number(14)];
  if (fields.length < 15 || !values.every(Number.isFinite)) return undefined;
  return {
    pid,
    comm: text.slice(open + 1, close),
    state: fields[0],
    ppid: number(1),
    ownTicks: number(11) + number(12),
    reapedChildrenTicks: number(13) + number(14),
  };
}

/** Every process of the machine at one moment, by pid, with who is whose child. */
export interface ProcTable {
  at: number;
  byPid: Map<number, ProcStat>;
  childrenOf: Map<number, number[]>;
}

export function procTableOf(stats: Iterable<ProcStat>, at = Date.now()): ProcTable {
  const byPid = new Map<number, ProcStat>();
  const childrenOf = new Map<number, number[]>();
  for (const stat of stats) {
    byPid.set(stat.pid, stat);
    const siblings = childrenOf.get(stat.ppid);
    if (siblings) siblings.push(stat.pid);
    else childrenOf.set(stat.ppid, [stat.pid]);
  }
  return { at, byPid, childrenOf };
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    // Gone between the directory listing and the read (or not Linux).
    return undefined;
  }
}

/** Reads /proc/<pid>/stat of every process (a few hundred small reads on a busy machine). */
export function readProcTable(procRoot = '/proc'): ProcTable {
  const stats: ProcStat[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync(procRoot);
  } catch {
    entries = [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const text = readText(`${procRoot}/${entry}/stat`);
    const stat = text === undefined ? undefined : parseProcStat(text);
    if (stat) stats.push(stat);
  }
  return procTableOf(stats);
}

/**
 * CPU ticks a process and all its descendants have used so far, or undefined when it is not in the
 * table. Descendants that exited and were reaped count through their parent's cutime/cstime (the
 * kernel adds a child's times to its parent's when the parent waits for it), so a PostgreSQL backend
 * that ended between two readings is not lost: the postmaster reaps it. The difference of two
 * readings is then exact up to (a) a child reaped in the instant between the reads of its own stat
 * and its parent's (one table is not one atomic snapshot: counted twice or not at all) and (b) a
 * child whose parent never waits for it (not the case for the postmaster), and to the 10 ms tick.
 * With `includeDescendants: false` only the process's own utime + stime.
 */
export function processCpuTicks(table: ProcTable, root: number, includeDescendants: boolean): number | undefined {
  const rootStat = table.byPid.get(root);
  if (!rootStat) return undefined;
  if (!includeDescendants) return rootStat.ownTicks;
  let ticks = 0;
  const seen = new Set<number>();
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.pop() as number;
    if (seen.has(pid)) continue;
    seen.add(pid);
    const stat = table.byPid.get(pid);
    if (!stat) continue;
    ticks += stat.ownTicks + stat.reapedChildrenTicks;
    queue.push(...(table.childrenOf.get(pid) ?? []));
  }
  return ticks;
}

/** Processes the load generator knows while it measures; gateways and the rest of the suite are told apart in reports. */
export type CpuGroup = 'gateway' | 'service' | 'kafka' | 'postgres' | 'loadgen';

export interface CpuTarget {
  /** Short name in the figures: gw0, router, kafka, postgres, lg-w0, lg-main, … */
  label: string;
  group: CpuGroup;
  pid: number;
  /** Count its descendants too (PostgreSQL's backends and helpers are the postmaster's children). */
  includeDescendants: boolean;
}

/** CPU ticks of each target (same order) at one moment; undefined for a process not found. */
export interface CpuReading {
  at: number;
  ticks: Array<number | undefined>;
}

export function readCpu(targets: CpuTarget[], table: ProcTable = readProcTable()): CpuReading {
  return { at: table.at, ticks: targets.map((target) => processCpuTicks(table, target.pid, target.includeDescendants)) };
}

export interface CpuSpent {
  label: string;
  group: CpuGroup;
  /** CPU seconds between the two readings; null when the process was missing at either. */
  seconds: number | null;
}

export function cpuSpent(targets: CpuTarget[], before: CpuReading, after: CpuReading): CpuSpent[] {
  return targets.map((target, index) => {
    const start = before.ticks[index];
    const end = after.ticks[index];
    return { label: target.label, group: target.group, seconds: start === undefined || end === undefined ? null : Math.max(0, end - start) / CLOCK_TICKS_PER_SECOND };
  });
}

/** CPU time per unit (message, delivery, connection): each process, and the totals. */
export interface CpuPerUnit {
  byProcess: Array<{ label: string; group: CpuGroup; value: number | null }>;
  /** Every process of the suite (gateways, the other services, Kafka, PostgreSQL) the load generator knows. */
  suite: number | null;
  gateways: number | null;
  /** The suite's processes except the gateways. */
  restOfSuite: number | null;
  loadgen: number | null;
  /** suite + loadgen. */
  all: number | null;
}

/**
 * Divides the CPU time spent by `units`, scaled (1e6: µs per unit, 1e3: ms per unit), rounded to
 * `digits`. A total is the sum of the processes of its kind that were measured, null when there
 * were none (or no units).
 */
export function cpuPerUnit(spent: CpuSpent[], units: number, scale: number, digits = 1): CpuPerUnit {
  const factor = 10 ** digits;
  const per = (seconds: number | null) => (seconds === null || units <= 0 ? null : Math.round(((seconds * scale) / units) * factor) / factor);
  const total = (pick: (item: CpuSpent) => boolean) => {
    const measured = spent.filter((item) => pick(item) && item.seconds !== null);
    return measured.length === 0 ? null : per(measured.reduce((sum, item) => sum + (item.seconds ?? 0), 0));
  };
  return {
    byProcess: spent.map((item) => ({ label: item.label, group: item.group, value: per(item.seconds) })),
    suite: total((item) => item.group !== 'loadgen'),
    gateways: total((item) => item.group === 'gateway'),
    restOfSuite: total((item) => item.group !== 'loadgen' && item.group !== 'gateway'),
    loadgen: total((item) => item.group === 'loadgen'),
    all: total(() => true),
  };
}

/** One breakdown by name: every process, then `suite` (without the load generator), `loadgen`, `all`. */
export function cpuByLabel(perUnit: CpuPerUnit): Record<string, number | null> {
  const values: Record<string, number | null> = {};
  for (const item of perUnit.byProcess) values[item.label] = item.value;
  values.suite = perUnit.suite;
  values.loadgen = perUnit.loadgen;
  values.all = perUnit.all;
  return values;
}

/** cpuByLabel as `<prefix>.<label>` figures (the summary table prints all keys of one prefix on one line). */
export function cpuFigures(prefix: string, perUnit: CpuPerUnit): Record<string, number | null> {
  return Object.fromEntries(Object.entries(cpuByLabel(perUnit)).map(([label, value]) => [`${prefix}.${label}`, value]));
}

export interface ProcessSample {
  pid: number;
  /** Resident set size in bytes (VmRSS). */
  rssBytes: number;
  /** User + system CPU time consumed so far, in seconds. */
  cpuSeconds: number;
  at: number;
}

/** RSS and CPU time (its own, not its children's) of a process from /proc, or undefined when it is gone (or this is not Linux). */
export function sampleProcess(pid: number): ProcessSample | undefined {
  const status = readText(`/proc/${pid}/status`);
  const statText = readText(`/proc/${pid}/stat`);
  const stat = statText === undefined ? undefined : parseProcStat(statText);
  if (status === undefined || !stat) return undefined;
  const rss = /VmRSS:\s+(\d+) kB/.exec(status);
  return { pid, rssBytes: rss ? Number(rss[1]) * 1024 : 0, cpuSeconds: stat.ownTicks / CLOCK_TICKS_PER_SECOND, at: Date.now() };
}

/** CPU use between two samples of one process, in cores (1 = one core busy all the time). */
export function cpuCores(before: ProcessSample, after: ProcessSample): number {
  const seconds = (after.at - before.at) / 1000;
  return seconds > 0 ? (after.cpuSeconds - before.cpuSeconds) / seconds : 0;
}

/** Whole-machine CPU busy fraction between two /proc/stat readings (0..1 per core summed over cores / cores). */
export function readMachineCpu(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  const total = values.reduce((sum, value) => sum + value, 0);
  return { busy: total - idle, total };
}
