import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { e2e } from './environment';

export interface WorkerEvent {
  event: 'joined' | 'handled';
  pid: number;
  key?: string | null;
  value?: string;
  partition?: number;
  offset?: string;
  partitions?: number[];
}

/** A kafka-test-worker process (see e2e/kafka-worker): a consumer group member we can SIGKILL. */
export class WorkerProcess {
  readonly events: WorkerEvent[] = [];
  private readonly child: ChildProcess;
  private stderr = '';
  readonly exited: Promise<number | null>;

  constructor(env: { TOPIC: string; GROUP_ID: string; BLOCK_AFTER_HANDLING?: '1'; SESSION_TIMEOUT_MS?: string }) {
    const entry = path.join(e2e.workspaceRoot, 'dist', 'e2e', 'kafka-worker', 'main.js');
    this.child = spawn(process.execPath, [entry], {
      env: { ...process.env, KAFKA_BROKERS: e2e.kafkaBrokers, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffered = '';
    this.child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        // Events are JSON lines; anything else (Nest's own warnings) is kept for diagnostics.
        if (line.startsWith('{"event"')) this.events.push(JSON.parse(line) as WorkerEvent);
        else if (line.trim()) this.stderr += `${line}\n`;
      }
    });
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  get pid(): number {
    return this.child.pid as number;
  }

  handled(): WorkerEvent[] {
    return this.events.filter((e) => e.event === 'handled');
  }

  /** The partitions it held at its latest join. */
  partitions(): number[] | undefined {
    return this.events.filter((e) => e.event === 'joined').at(-1)?.partitions;
  }

  diagnostics(): string {
    return `worker ${this.pid} stderr:\n${this.stderr.slice(-4000)}`;
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    await this.exited;
  }
}
