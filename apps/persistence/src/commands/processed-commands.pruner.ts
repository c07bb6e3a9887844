import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Topics } from '@chat/protocol';
import { describeError, PeriodicTask } from '@chat/helpers';
import { pruneProcessed } from './processed-commands';

const HOUR_MS = 60 * 60 * 1000;
/** A command can be delivered again only while Kafka still holds it; a day more covers a consumer lagging behind. */
export const PROCESSED_COMMANDS_KEPT_MS = Topics.commands.retentionMs + 24 * HOUR_MS;
const PRUNE_INTERVAL_MS = HOUR_MS;

/** Deletes processed-command records that can no longer be needed, once an hour (and at start). */
@Injectable()
export class ProcessedCommandsPruner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ProcessedCommandsPruner.name);
  private readonly schedule = new PeriodicTask(() => this.prune(), {
    intervalMs: PRUNE_INTERVAL_MS,
    // Harmless to skip a round: the next one deletes what this one did not.
    onError: (error) => this.logger.warn({ msg: 'pruning processed commands failed', error: describeError(error) }),
  });

  constructor(private readonly dataSource: DataSource) {}

  onApplicationBootstrap(): void {
    this.schedule.start({ runNow: true });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.schedule.stop();
  }

  async prune(now = Date.now()): Promise<void> {
    const deleted = await pruneProcessed(this.dataSource.manager, new Date(now - PROCESSED_COMMANDS_KEPT_MS));
    if (deleted > 0) this.logger.log({ msg: 'pruned processed commands', deleted });
  }
}
