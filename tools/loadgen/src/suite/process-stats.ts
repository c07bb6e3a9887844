import { readFileSync } from 'node:fs';

/** Kernel clock ticks per second, the unit of utime/stime in /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const CLOCK_TICKS_PER_SECOND = 100;

export interface ProcessSample {
  pid: number;
  /** Resident set size in bytes (VmRSS). */
  rssBytes: number;
  /** User + system CPU time consumed so far, in seconds. */
  cpuSeconds: number;
  at: number;
}

/** RSS and CPU time of a process from /proc, or undefined when it is gone (or this is not Linux). */
export function sampleProcess(pid: number): ProcessSample | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /VmRSS:\s+(\d+) kB/.exec(status);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return { pid, rssBytes: rss ? Number(rss[1]) * 1024 : 0, cpuSeconds: (utime + stime) / CLOCK_TICKS_PER_SECOND, at: Date.now() };
  } catch {
    return undefined;
  }
}

/** CPU seconds consumed so far by these processes together (gone ones count 0). */
export function cpuSecondsOf(pids: number[]): number {
  return pids.reduce((sum, pid) => sum + (sampleProcess(pid)?.cpuSeconds ?? 0), 0);
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
