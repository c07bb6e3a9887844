/**
 * Progress on stderr while a scenario runs: on a terminal one line redrawn in place with a bar,
 * otherwise (CI, logs, the e2e smoke test) a plain line every few seconds.
 */
export class Progress {
  private readonly tty: boolean;
  private timer: NodeJS.Timeout | undefined;
  private lastPlainAt = 0;
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly plainEveryMs = 5000,
  ) {
    this.tty = Boolean(stream.isTTY);
  }

  /** A standalone line (phase changes), never overwritten. */
  say(line: string): void {
    this.clear();
    this.stream.write(`${line}\n`);
  }

  /** Redraws `status()` every 250 ms; `fraction()` (0..1) fills the bar when known. */
  start(label: string, status: () => string, fraction?: () => number | undefined): void {
    this.stop();
    const started = Date.now();
    const draw = (force = false) => {
      const elapsed = ((Date.now() - started) / 1000).toFixed(0).padStart(4);
      const f = fraction?.();
      if (this.tty) {
        const width = 24;
        const bar = f === undefined ? '' : `[${'#'.repeat(Math.round(Math.min(1, Math.max(0, f)) * width)).padEnd(width, '.')}] `;
        const line = `${label} ${bar}${elapsed}s ${status()}`;
        const columns = this.stream.columns ?? 120;
        this.stream.write(`\r\x1b[2K${line.slice(0, columns - 1)}`);
        this.drawn = true;
      } else if (force || Date.now() - this.lastPlainAt >= this.plainEveryMs) {
        this.lastPlainAt = Date.now();
        const percent = f === undefined ? '' : ` ${(Math.min(1, f) * 100).toFixed(0)}%`;
        this.stream.write(`${label}${percent} ${elapsed}s ${status()}\n`);
      }
    };
    this.lastPlainAt = Date.now();
    this.timer = setInterval(() => draw(), this.tty ? 250 : 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
  }

  private clear(): void {
    if (this.tty && this.drawn) this.stream.write('\r\x1b[2K');
    this.drawn = false;
  }
}
