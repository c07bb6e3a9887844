import { type ChildProcess, spawn } from 'node:child_process';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Children still running, with the signal that makes each one go away on its own. */
const live = new Map<ChildProcess, NodeJS.Signals>();
let exitHookInstalled = false;

function signalAllSync(): void {
  for (const [child, signal] of live) {
    try {
      child.kill(signal);
    } catch {
      // Already gone; nothing to clean up.
    }
  }
}

/**
 * Makes sure `child` does not outlive this Node process. Only the synchronous 'exit' event is used:
 * signal handling (Ctrl-C, SIGTERM) belongs to the caller, which knows the shutdown order.
 */
export function killOnExit(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (!exitHookInstalled) {
    process.on('exit', signalAllSync);
    exitHookInstalled = true;
  }
  live.set(child, signal);
  child.once('exit', () => live.delete(child));
  child.once('error', () => {
    if (child.pid === undefined) live.delete(child);
  });
}

/** Resolves once the child has exited, also when it never started (spawn error, e.g. ENOENT). */
export function trackExit(child: ChildProcess): Promise<ExitInfo> {
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => {
      if (child.pid === undefined) resolve({ code: null, signal: null });
    });
  });
}

export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null || child.pid === undefined;
}

function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    void promise.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * Sends each signal in turn, giving the child `graceMs` after each to exit, and resolves when it
 * has exited. The last step is always SIGKILL, so this never hangs on a stuck process.
 */
export async function stopChild(
  child: ChildProcess,
  exited: Promise<ExitInfo>,
  steps: ReadonlyArray<{ signal: NodeJS.Signals; graceMs: number }>,
): Promise<void> {
  for (const { signal, graceMs } of steps) {
    if (hasExited(child)) return;
    child.kill(signal);
    if (await within(exited, graceMs)) return;
  }
  if (!hasExited(child)) child.kill('SIGKILL');
  await exited;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function describeExit({ code, signal }: ExitInfo): string {
  return signal ? `signal ${signal}` : `code ${code}`;
}

/** Runs a command to completion (a short-lived tool, e.g. a Kafka CLI class in a JVM): its exit code and stdout+stderr. */
export function runToCompletion(command: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (error) => resolve({ code: null, output: error.message }));
    child.once('close', (code) => resolve({ code, output }));
  });
}
