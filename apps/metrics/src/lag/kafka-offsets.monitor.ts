import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Admin } from 'kafkajs';
import { KafkaClient } from '@chat/kafka';
import { describeError, PeriodicTask, withTimeout } from '@chat/helpers';
import type { GroupLag, TopicSize } from './consumer-lag';
import { readClusterOffsets } from './offsets-reader';

export interface KafkaOffsetsSnapshot {
  /** When the figures below were read; null before the first successful poll. */
  polledAt: number | null;
  pollDurationMs: number | null;
  /** Why the latest poll failed (the figures are then those of the last good one); null if it succeeded. */
  error: string | null;
  totalLag: number;
  groups: GroupLag[];
  deadLettersTotal: number;
  deadLetters: TopicSize[];
}

export interface KafkaOffsetsOptions {
  pollIntervalMs: number;
}

/**
 * Consumer lag and dead-letter topic sizes, read through the Kafka admin API every poll interval.
 * It uses an admin client of its own: kafkajs keeps every topic it was asked about in its metadata
 * requests, and a topic deleted later would then fail the service's shared admin too. After a failed
 * poll the client is replaced, which clears that list.
 */
@Injectable()
export class KafkaOffsetsMonitor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(KafkaOffsetsMonitor.name);
  private admin: Admin | null = null;
  /** A poll slower than the interval is not overlapped by the next one. */
  private readonly schedule: PeriodicTask;
  private stopped = false;
  private current: KafkaOffsetsSnapshot = { polledAt: null, pollDurationMs: null, error: 'not polled yet', totalLag: 0, groups: [], deadLettersTotal: 0, deadLetters: [] };

  constructor(
    private readonly client: KafkaClient,
    private readonly options: KafkaOffsetsOptions,
  ) {
    this.schedule = new PeriodicTask(() => this.pollOnce(), {
      intervalMs: options.pollIntervalMs,
      onError: (error) => this.logger.warn({ msg: 'offsets poll failed', error: describeError(error) }),
    });
  }

  snapshot(): KafkaOffsetsSnapshot {
    return this.current;
  }

  onApplicationBootstrap(): void {
    void this.client.connected().then(() => {
      if (!this.stopped) this.schedule.start({ runNow: true });
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    await this.schedule.stop();
    await this.dropAdmin();
  }

  private async pollOnce(): Promise<void> {
    const startedAt = Date.now();
    try {
      this.admin ??= await this.connectAdmin();
      const { groups, deadLetters } = await withTimeout(readClusterOffsets(this.admin), Math.max(5000, this.options.pollIntervalMs * 2), 'offsets poll timed out');
      if (this.current.error !== null && this.current.polledAt !== null) this.logger.log({ msg: 'offsets poll recovered' });
      this.current = {
        polledAt: Date.now(),
        pollDurationMs: Date.now() - startedAt,
        error: null,
        totalLag: groups.reduce((sum, g) => sum + g.lag, 0),
        groups,
        deadLettersTotal: deadLetters.reduce((sum, t) => sum + t.records, 0),
        deadLetters,
      };
    } catch (error) {
      const message = describeError(error);
      // Logged when the failure starts or changes, not on every poll of a long outage.
      if (message !== this.current.error) this.logger.warn({ msg: 'offsets poll failed', error: message });
      this.current = { ...this.current, error: message };
      await this.dropAdmin();
    }
  }

  private async connectAdmin(): Promise<Admin> {
    const admin = this.client.kafka.admin();
    await admin.connect();
    return admin;
  }

  private async dropAdmin(): Promise<void> {
    const admin = this.admin;
    this.admin = null;
    await admin?.disconnect().catch(() => undefined);
  }
}
