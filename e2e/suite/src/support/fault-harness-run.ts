import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { e2e, uniqueName } from './environment';

/** The parts of the harness's --json output the tests read (tools/fault-harness/src/main.ts). */
export interface HarnessJson {
  passed: boolean;
  report: {
    accepted: number;
    stored: number;
    duplicatesStored: number;
    seqGaps: number;
    delivered: number;
    deliveriesExpected: number;
    lost: number;
    outOfOrder: number;
    duplicateDeliveries: number;
    deadLetteredSends: number;
    deadLetteredAccepted: number;
  };
  faults: Array<{ fault: string; injectedAtMs: number; recoveryMs?: number; detail?: string; error?: string }>;
  violations: Array<{ kind: string; conversationId?: string; seq?: number; deviceId?: string; detail: string }>;
}

export interface HarnessRun {
  code: number | null;
  /** stdout and stderr together, for a failing test's message. */
  output: string;
  json: HarnessJson | undefined;
}

const running = new Set<ChildProcess>();

/** Kills harness runs a failed or timed-out test left behind (the harness then stops its own processes). */
export function stopHarnessRuns(): void {
  for (const child of running) child.kill('SIGTERM');
}

/** Runs the built harness CLI (dist/tools/fault-harness) with `args` plus --json, to the end. */
export async function runFaultHarness(args: string[]): Promise<HarnessRun> {
  const entry = path.join(e2e.workspaceRoot, 'dist', 'tools', 'fault-harness', 'main.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: build it first (\`npx nx run fault-harness:build\`)`);
  const jsonFile = path.join(e2e.tempDir, `${uniqueName('fault-harness')}.json`);
  const child = spawn(process.execPath, [entry, ...args, '--json', jsonFile], { cwd: e2e.workspaceRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('close', (exitCode) => resolve(exitCode)));
  running.delete(child);
  const json = existsSync(jsonFile) ? (JSON.parse(await readFile(jsonFile, 'utf8')) as HarnessJson) : undefined;
  return { code, output, json };
}
