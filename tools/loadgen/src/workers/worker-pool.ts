import { type ChildProcess, spawn } from 'node:child_process';
import type { ReplyMessage, TickMessage, WorkerCommand, WorkerConfig, WorkerMessage } from './messages';

/** One process may hold at most this many open files here (ulimit -Hn); leave room for everything else. */
export const MAX_SOCKETS_PER_WORKER = 18_000;

export const WORKER_FLAG = '--loadgen-worker';

interface Waiter {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

interface WorkerHandle {
  index: number;
  child: ChildProcess;
  exited: Promise<number | null>;
}

/**
 * The worker processes of one scenario: the same main.js in worker mode, each started through
 * `sh -c 'ulimit -n <hard limit>; exec node …'` so its soft open-file limit is as high as allowed,
 * with an IPC channel for commands, replies and once-a-second ticks.
 */
export class WorkerPool {
  private readonly waiters = new Map<number, Waiter>();
  private readonly tickListeners = new Set<(tick: TickMessage) => void>();
  private nextId = 1;

  private constructor(private readonly workers: WorkerHandle[]) {
    for (const worker of workers) {
      worker.child.on('message', (message: WorkerMessage) => this.onMessage(message));
    }
  }

  /** `nodeArgs`: options for node itself, e.g. `--cpu-prof`. */
  static async start(count: number, config: Omit<WorkerConfig, 'workerIndex'>, mainScript: string, nodeArgs: string[] = []): Promise<WorkerPool> {
    const handles = await Promise.all(Array.from({ length: count }, (_, index) => spawnWorker(index, mainScript, nodeArgs)));
    const pool = new WorkerPool(handles);
    await Promise.all(handles.map((handle) => pool.request(handle.index, { type: 'configure', config: { ...config, workerIndex: handle.index } })));
    return pool;
  }

  get size(): number {
    return this.workers.length;
  }

  get pids(): number[] {
    return this.workers.map((worker) => worker.child.pid ?? -1);
  }

  onTick(listener: (tick: TickMessage) => void): () => void {
    this.tickListeners.add(listener);
    return () => this.tickListeners.delete(listener);
  }

  request<T = unknown>(workerIndex: number, command: WorkerCommand): Promise<T> {
    const worker = this.workers[workerIndex];
    if (!worker) return Promise.reject(new Error(`no worker ${workerIndex}`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiters.set(id, { resolve: (value) => resolve(value as T), reject });
      worker.child.send({ ...command, id }, (error) => {
        if (error) {
          this.waiters.delete(id);
          reject(error);
        }
      });
    });
  }

  /** The same command to every worker; results in worker order. */
  broadcast<T = unknown>(command: WorkerCommand): Promise<T[]> {
    return Promise.all(this.workers.map((worker) => this.request<T>(worker.index, command)));
  }

  async stop(): Promise<void> {
    await this.broadcast({ type: 'close-all' }).catch(() => undefined);
    for (const worker of this.workers) {
      if (worker.child.connected) worker.child.disconnect();
    }
    const exits = this.workers.map((worker) =>
      Promise.race([worker.exited, new Promise((resolve) => setTimeout(resolve, 10_000).unref())]).then(() => {
        if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
      }),
    );
    await Promise.all(exits);
    for (const waiter of this.waiters.values()) waiter.reject(new Error('worker pool stopped'));
    this.waiters.clear();
  }

  private onMessage(message: WorkerMessage): void {
    if (message.type === 'tick') {
      for (const listener of this.tickListeners) listener(message);
    } else if (message.type === 'reply') {
      this.settle(message);
    }
  }

  private settle(reply: ReplyMessage): void {
    const waiter = this.waiters.get(reply.id);
    if (!waiter) return;
    this.waiters.delete(reply.id);
    if (reply.ok) waiter.resolve(reply.result);
    else waiter.reject(new Error(reply.error ?? 'worker command failed'));
  }
}

function spawnWorker(index: number, mainScript: string, nodeArgs: string[]): Promise<WorkerHandle> {
  // `$0 "$@"` is node and its arguments, after raising the soft open-file limit to the hard one.
  const child = spawn('sh', ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"', process.execPath, ...nodeArgs, mainScript, WORKER_FLAG], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: process.env,
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise<WorkerHandle>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker ${index} did not start within 30 s`)), 30_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`worker ${index} exited (${code}) before it was ready`));
    });
    child.on('message', function onReady(message: WorkerMessage) {
      if (message.type !== 'worker-ready') return;
      clearTimeout(timer);
      child.off('message', onReady);
      resolve({ index, child, exited });
    });
  });
}
