import { Injectable } from '@nestjs/common';

export interface CheckResult {
  ok: boolean;
  [detail: string]: unknown;
}

export type ReadinessCheck = () => Promise<CheckResult>;

/** The checks `/readyz` runs. Modules add theirs at construction (Kafka, database, …). */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();
  private shuttingDown = false;

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  /** From the first shutdown signal on, the instance reports not ready so traffic drains away. */
  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  async evaluate(): Promise<{ ready: boolean; checks: Record<string, CheckResult> }> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        try {
          return [name, await check()] as const;
        } catch (error) {
          return [name, { ok: false, error: error instanceof Error ? error.message : String(error) }] as const;
        }
      }),
    );
    const checks = Object.fromEntries(entries);
    if (this.shuttingDown) checks['shutdown'] = { ok: false, reason: 'shutting down' };
    return { ready: Object.values(checks).every((c) => c.ok), checks };
  }
}
