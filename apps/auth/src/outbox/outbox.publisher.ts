import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DataSource, In, type EntityManager } from 'typeorm';
import type { Envelope } from '@chat/protocol';
import { KafkaClient, KafkaProducer } from '@chat/kafka';
import { AuthConfig } from '../config';
import { describeError, PeriodicTask, withTimeout } from '@chat/helpers';
import { OutboxMessageEntity } from './outbox-message.entity';

const BATCH_SIZE = 500;
const SENT_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
const CLEANUP_EVERY_MS = 60 * 60 * 1000;

/**
 * The transactional outbox: a change and the record announcing it are committed together
 * (`enqueue` inside the caller's transaction), then this publisher produces pending records in
 * insertion order and marks them sent. It runs right after a commit and on a timer, so records
 * written while Kafka was away, or before a crash, still go out. A crash between produce and mark
 * publishes a record twice, which consumers of the compacted topics take as the same fact again.
 */
@Injectable()
export class OutboxPublisher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OutboxPublisher.name);
  private readonly schedule: PeriodicTask;
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  private stopped = false;
  private lastCleanupAt = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly producer: KafkaProducer,
    private readonly client: KafkaClient,
    private readonly config: AuthConfig,
  ) {
    // publishPending never rejects, so there is nothing for onError to see.
    this.schedule = new PeriodicTask(() => this.publishPending(), { intervalMs: config.OUTBOX_POLL_INTERVAL_MS, onError: () => undefined });
  }

  /** Adds a record to the outbox; call it inside the transaction that makes the change it announces. */
  async enqueue(manager: EntityManager, record: { topic: string; key: string; envelope: Envelope }): Promise<void> {
    await manager.save(manager.create(OutboxMessageEntity, { topic: record.topic, messageKey: record.key, envelope: record.envelope }));
  }

  onApplicationBootstrap(): void {
    void this.client.connected().then(() => {
      if (this.stopped) return;
      this.schedule.start({ runNow: true });
    });
  }

  onModuleDestroy(): void {
    this.stopped = true;
    void this.schedule.stop();
  }

  /**
   * Publishes every pending record. Never rejects (failures are logged and retried on the timer).
   * Calls during a run share one follow-up run, which picks up rows committed meanwhile.
   */
  publishPending(): Promise<void> {
    if (!this.running) {
      this.running = this.drain().finally(() => (this.running = null));
      return this.running;
    }
    this.queued ??= this.running.then(() => {
      this.queued = null;
      return this.publishPending();
    });
    return this.queued;
  }

  /** publishPending, waiting at most `maxWaitMs`; true if everything pending went out in time. */
  async publishWithin(maxWaitMs: number): Promise<boolean> {
    return withTimeout(
      this.publishPending().then(() => this.pendingIsEmpty()),
      maxWaitMs,
      'outbox not drained in time',
    ).catch(() => false);
  }

  private async drain(): Promise<void> {
    try {
      while (!this.stopped && (await this.publishBatch()) === BATCH_SIZE);
      await this.cleanUp();
    } catch (error) {
      this.logger.warn({ msg: 'outbox publication failed; will retry', retryInMs: this.config.OUTBOX_POLL_INTERVAL_MS, error: describeError(error) });
    }
  }

  /**
   * Locks a batch of pending rows (skipping rows another replica holds), produces them and marks them
   * sent in one transaction: if the produce fails, nothing is marked and the rows stay pending.
   */
  private publishBatch(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const rows = await manager
        .createQueryBuilder(OutboxMessageEntity, 'outbox')
        .where('outbox.sent_at is null')
        .orderBy('outbox.id', 'ASC')
        .limit(BATCH_SIZE)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getMany();
      if (rows.length === 0) return 0;
      for (const run of consecutiveByTopic(rows)) {
        const producedAt = Date.now();
        await this.producer.send(
          run.topic,
          run.rows.map((row) => ({ key: row.messageKey, envelope: { ...row.envelope, producedAt } })),
        );
      }
      await manager.update(OutboxMessageEntity, { id: In(rows.map((row) => row.id)) }, { sentAt: new Date() });
      this.logger.log({ msg: 'outbox records published', count: rows.length });
      return rows.length;
    });
  }

  private async pendingIsEmpty(): Promise<boolean> {
    const pending = await this.dataSource.getRepository(OutboxMessageEntity).createQueryBuilder('outbox').where('outbox.sent_at is null').getExists();
    return !pending;
  }

  /** Sent rows are kept a while for inspection, then deleted so the table stays small. */
  private async cleanUp(): Promise<void> {
    if (Date.now() - this.lastCleanupAt < CLEANUP_EVERY_MS) return;
    this.lastCleanupAt = Date.now();
    await this.dataSource
      .createQueryBuilder()
      .delete()
      .from(OutboxMessageEntity)
      .where('sent_at < :before', { before: new Date(Date.now() - SENT_RETENTION_MS) })
      .execute();
  }
}

function consecutiveByTopic(rows: OutboxMessageEntity[]): { topic: string; rows: OutboxMessageEntity[] }[] {
  const runs: { topic: string; rows: OutboxMessageEntity[] }[] = [];
  for (const row of rows) {
    const last = runs[runs.length - 1];
    if (last && last.topic === row.topic) last.rows.push(row);
    else runs.push({ topic: row.topic, rows: [row] });
  }
  return runs;
}
