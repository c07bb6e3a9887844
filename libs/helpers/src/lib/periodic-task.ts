export interface PeriodicTaskOptions {
  intervalMs: number;
  /** Called with what a run threw; the next run comes on schedule all the same. */
  onError: (error: unknown) => void;
}

/**
 * A task run every `intervalMs` until stopped (housekeeping, heartbeats, polls). Runs never overlap:
 * a tick during a slow run is skipped rather than stacked. The timer is unref'd, so it never keeps a
 * process alive, and a run that throws is reported instead of becoming an unhandled rejection.
 */
export class PeriodicTask {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly task: () => Promise<void> | void,
    private readonly options: PeriodicTaskOptions,
  ) {}

  /** Starts the schedule; with `runNow`, the first run starts at once instead of after one interval. */
  start({ runNow = false }: { runNow?: boolean } = {}): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.runOnce(), this.options.intervalMs);
    this.timer.unref();
    if (runNow) void this.runOnce();
  }

  /** Runs the task now, or joins the run in progress. Never rejects. */
  runOnce(): Promise<void> {
    this.running ??= this.guarded().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Stops the schedule and waits for a run in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async guarded(): Promise<void> {
    try {
      await this.task();
    } catch (error) {
      this.options.onError(error);
    }
  }
}
