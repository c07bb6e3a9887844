import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type CpuTarget, cpuFigures, cpuPerUnit, cpuSpent, parseProcStat, type ProcStat, procTableOf, processCpuTicks, readCpu, readProcTable } from './process-stats';

/** A /proc/<pid>/stat line as Linux writes it (52 fields), with the fields this tool reads set. */
function statLine(pid: number, comm: string, ppid: number, utime: number, stime: number, cutime = 0, cstime = 0, state = 'S'): string {
  return `${pid} (${comm}) ${state} ${ppid} ${pid} ${pid} 0 -1 4194560 1520 0 0 0 ${utime} ${stime} ${cutime} ${cstime} 20 0 1 0 137014 3133440 415 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0`;
}

function stat(pid: number, ppid: number, ownTicks: number, reapedChildrenTicks = 0): ProcStat {
  return { pid, comm: `p${pid}`, state: 'S', ppid, ownTicks, reapedChildrenTicks };
}

describe('parseProcStat', () => {
  it('reads pid, command, state, parent and utime+stime / cutime+cstime', () => {
    expect(parseProcStat(statLine(4242, 'postgres', 1, 120, 30, 700, 50))).toEqual({ pid: 4242, comm: 'postgres', state: 'S', ppid: 1, ownTicks: 150, reapedChildrenTicks: 750 });
  });

  it('counts fields from the last parenthesis, whatever the command name holds', () => {
    expect(parseProcStat(statLine(7, 'java) R 99 (x', 3, 5, 6))).toMatchObject({ pid: 7, comm: 'java) R 99 (x', ppid: 3, ownTicks: 11 });
    expect(parseProcStat(statLine(8, 'Web Content', 3, 1, 2, 0, 0, 'Z'))).toMatchObject({ comm: 'Web Content', state: 'Z', ownTicks: 3 });
  });

  it('refuses what is not a stat line', () => {
    expect(parseProcStat('')).toBeUndefined();
    expect(parseProcStat('12 (cut short) S 1 2 3')).toBeUndefined();
    expect(parseProcStat('x (node) S y 0 0 0 0 0 0 0 0 0 0 0 0 0')).toBeUndefined();
  });
});

describe('processCpuTicks', () => {
  // postmaster 100 with two backends (one with a child of its own); 300 is someone else's process.
  const table = procTableOf([stat(1, 0, 9), stat(100, 1, 50, 400), stat(101, 100, 20), stat(102, 100, 30, 5), stat(103, 102, 7), stat(300, 1, 1000)]);

  it('sums a process, its descendants and what they reaped', () => {
    expect(processCpuTicks(table, 100, true)).toBe(50 + 400 + 20 + 30 + 5 + 7);
  });

  it('takes only the process itself when told so', () => {
    expect(processCpuTicks(table, 100, false)).toBe(50);
    expect(processCpuTicks(table, 300, true)).toBe(1000);
  });

  it('is undefined for a process that is not there', () => {
    expect(processCpuTicks(table, 999, true)).toBeUndefined();
  });

  it('survives a parent loop (pid reuse while reading)', () => {
    expect(processCpuTicks(procTableOf([stat(5, 6, 1), stat(6, 5, 2)]), 5, true)).toBe(3);
  });
});

describe('cpu spent between two readings', () => {
  const targets: CpuTarget[] = [
    { label: 'gw0', group: 'gateway', pid: 10, includeDescendants: true },
    { label: 'router', group: 'service', pid: 11, includeDescendants: true },
    { label: 'postgres', group: 'postgres', pid: 100, includeDescendants: true },
    { label: 'lg-w0', group: 'loadgen', pid: 20, includeDescendants: true },
    { label: 'lg-main', group: 'loadgen', pid: 1, includeDescendants: false },
  ];

  it('counts a backend that exited in between through the postmaster that reaped it', () => {
    // Backend 101 had used 40 ticks at the start, 90 when it exited; 102 came and went (60); 103 is new (15).
    const before = readCpu(targets, procTableOf([stat(1, 0, 100, 5000), stat(10, 1, 1000), stat(11, 1, 500), stat(20, 1, 300), stat(100, 1, 200), stat(101, 100, 40)], 0));
    const after = readCpu(targets, procTableOf([stat(1, 0, 110, 5000), stat(10, 1, 1100), stat(11, 1, 520), stat(20, 1, 400), stat(100, 1, 210, 90 + 60), stat(103, 100, 15)], 2000));
    const spent = cpuSpent(targets, before, after);
    expect(spent.map((s) => [s.label, s.seconds])).toEqual([
      ['gw0', 1],
      ['router', 0.2],
      ['postgres', (10 + 50 + 60 + 15) / 100],
      ['lg-w0', 1],
      // Its own time only: the suite's processes are its children.
      ['lg-main', 0.1],
    ]);
  });

  it('gives null for a process missing at either reading', () => {
    const before = readCpu(targets, procTableOf([stat(10, 1, 1000)]));
    const after = readCpu(targets, procTableOf([stat(10, 1, 1050), stat(11, 1, 5)]));
    expect(cpuSpent(targets, before, after).map((s) => s.seconds)).toEqual([0.5, null, null, null, null]);
  });
});

describe('cpuPerUnit', () => {
  const spent = [
    { label: 'gw0', group: 'gateway' as const, seconds: 0.5 },
    { label: 'gw1', group: 'gateway' as const, seconds: 0.25 },
    { label: 'router', group: 'service' as const, seconds: 0.4 },
    { label: 'kafka', group: 'kafka' as const, seconds: 0.6 },
    { label: 'postgres', group: 'postgres' as const, seconds: 0.3 },
    { label: 'auth', group: 'service' as const, seconds: null },
    { label: 'lg-w0', group: 'loadgen' as const, seconds: 0.9 },
    { label: 'lg-main', group: 'loadgen' as const, seconds: 0.1 },
  ];

  it('divides by the messages in µs, per process and in totals with and without the load generator', () => {
    const perMessage = cpuPerUnit(spent, 2000, 1e6);
    expect(perMessage.byProcess.map((p) => [p.label, p.value])).toEqual([
      ['gw0', 250],
      ['gw1', 125],
      ['router', 200],
      ['kafka', 300],
      ['postgres', 150],
      ['auth', null],
      ['lg-w0', 450],
      ['lg-main', 50],
    ]);
    expect(perMessage).toMatchObject({ gateways: 375, restOfSuite: 650, suite: 1025, loadgen: 500, all: 1525 });
  });

  it('rounds, and gives null totals without units or without processes of a kind', () => {
    expect(cpuPerUnit(spent, 3, 1e3, 3).gateways).toBe(250);
    expect(cpuPerUnit([{ label: 'gw0', group: 'gateway', seconds: 0.001 }], 3, 1e6).gateways).toBe(333.3);
    expect(cpuPerUnit(spent, 0, 1e6).all).toBeNull();
    // An external suite: only the load generator is known.
    expect(cpuPerUnit([{ label: 'lg-w0', group: 'loadgen', seconds: 1 }], 1000, 1e6)).toMatchObject({ suite: null, gateways: null, loadgen: 1000, all: 1000 });
  });

  it('names the figures <prefix>.<process>, then the totals', () => {
    expect(cpuFigures('cpuUsPerMessage', cpuPerUnit(spent.slice(0, 1).concat(spent.slice(6)), 1000, 1e6))).toEqual({
      'cpuUsPerMessage.gw0': 500,
      'cpuUsPerMessage.lg-w0': 900,
      'cpuUsPerMessage.lg-main': 100,
      'cpuUsPerMessage.suite': 500,
      'cpuUsPerMessage.loadgen': 1000,
      'cpuUsPerMessage.all': 1500,
    });
  });
});

describe('readProcTable', () => {
  it('reads every numeric entry of a proc directory and skips the rest', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'fake-proc-'));
    try {
      const add = (name: string, text: string) => {
        mkdirSync(path.join(root, name));
        writeFileSync(path.join(root, name, 'stat'), text);
      };
      add('100', statLine(100, 'postgres', 1, 10, 2, 30, 4));
      add('101', statLine(101, 'postgres', 100, 5, 1));
      add('self', statLine(555, 'node', 1, 1, 1));
      mkdirSync(path.join(root, '102')); // gone before its stat was read
      const table = readProcTable(root);
      expect([...table.byPid.keys()].sort()).toEqual([100, 101]);
      expect(table.childrenOf.get(100)).toEqual([101]);
      expect(processCpuTicks(table, 100, true)).toBe(12 + 34 + 6);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
