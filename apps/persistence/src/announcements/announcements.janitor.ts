import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Topics } from '@chat/protocol';
import { KafkaProducer } from '@chat/kafka';
import { describeError, PeriodicTask } from '@chat/helpers';

/** Announcements live at least a minute, so a round a minute tombstones each soon after it expired. */
const JANITOR_INTERVAL_MS = 60 * 1000;
/** Tombstones per transaction; a round goes on until none is left. */
const TOMBSTONES_PER_ROUND = 500;

/**
 * Writes a tombstone on the compacted `chat.announcements` for every expired announcement, so the
 * topic holds only current ones and a view replaying it stays small; the rows stay in the table,
 * marked `tombstoned_at`. Readers never need the tombstone (they compare `expiresAt` with the
 * clock): it is housekeeping, and a round skipped after a failure is caught up by the next.
 * Instances share the work: a row being tombstoned by one is skipped by the others (SKIP LOCKED).
 */
@Injectable()
export class AnnouncementsJanitor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AnnouncementsJanitor.name);
  private readonly schedule = new PeriodicTask(() => this.tombstoneExpired().then(() => undefined), {
    intervalMs: JANITOR_INTERVAL_MS,
    onError: (error) => this.logger.warn({ msg: 'tombstoning expired announcements failed', error: describeError(error) }),
  });

  constructor(
    private readonly dataSource: DataSource,
    private readonly producer: KafkaProducer,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule.start({ runNow: true });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.schedule.stop();
  }

  /** Tombstones what expired by `now`; returns how many announcements it tombstoned. */
  async tombstoneExpired(now = Date.now()): Promise<number> {
    let total = 0;
    for (;;) {
      const tombstoned = await this.dataSource.transaction(async (manager) => {
        const rows = await manager.query<Array<{ id: string }>>(
          `SELECT id FROM announcements WHERE tombstoned_at IS NULL AND expires_at <= $1
           ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
          [new Date(now), TOMBSTONES_PER_ROUND],
        );
        if (rows.length === 0) return 0;
        const ids = rows.map((row) => row.id);
        // Marked only once Kafka has the tombstones; a failure leaves them for the next round.
        await this.producer.sendRaw(Topics.announcements.name, ids.map((id) => ({ key: id, value: null })));
        await manager.query(`UPDATE announcements SET tombstoned_at = $2 WHERE id = ANY($1::uuid[])`, [ids, new Date(now)]);
        return ids.length;
      });
      total += tombstoned;
      if (tombstoned < TOMBSTONES_PER_ROUND) break;
    }
    if (total > 0) this.logger.log({ msg: 'tombstoned expired announcements', count: total });
    return total;
  }
}
