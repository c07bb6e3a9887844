import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { describeError, PeriodicTask } from '@chat/helpers';

const SWEEP_EVERY_MS = 60 * 60 * 1000;
/** Expired tokens are kept a day longer, so a late replay is still recognised as reuse. */
const KEEP_EXPIRED_MS = 24 * 60 * 60 * 1000;
const BATCH = 10_000;

/** Deletes long-expired refresh tokens, so the table holds live sessions rather than history. */
@Injectable()
export class SessionsJanitor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SessionsJanitor.name);
  private readonly schedule = new PeriodicTask(() => this.sweep(), {
    intervalMs: SWEEP_EVERY_MS,
    onError: (error) => this.logger.warn({ msg: 'refresh token sweep failed', error: describeError(error) }),
  });

  constructor(private readonly dataSource: DataSource) {}

  onApplicationBootstrap(): void {
    this.schedule.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.schedule.stop();
  }

  async sweep(now = Date.now()): Promise<void> {
    // Bounded batches keep each delete short; replicas sweeping at once only repeat harmless work.
    await this.dataSource.query(`delete from refresh_tokens where id in (select id from refresh_tokens where expires_at < $1 limit $2)`, [
      new Date(now - KEEP_EXPIRED_MS),
      BATCH,
    ]);
  }
}
