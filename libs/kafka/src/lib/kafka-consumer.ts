import { Logger } from '@nestjs/common';
import type { Consumer, EachBatchPayload } from 'kafkajs';
import { deadLetterTopicOf, Headers, newTraceId, ProtocolError } from '@chat/protocol';
import { runWithTrace } from '@chat/logging';
import { backoffDelay, describeError, sleep, withTimeout, type BackoffOptions } from '@chat/helpers';
import { toConsumedRecord, type ConsumedRecord } from './consumed-record';
import { ConsumerInterrupted, PermanentError, TransientError } from './errors';
import type { KafkaClient } from './kafka-client';
import { KafkaMetrics, type FailureKind } from './kafka-metrics';
import { kafkaConsumerSettings } from './kafka-settings';
import type { KafkaProducer } from './kafka-producer';
import { provisionTopics } from './topic-provisioner';

export interface ConsumerOptions {
  groupId: string;
  topics: string[];
  /** Handles one record; give this or `handleBatch`. */
  handle?: (record: ConsumedRecord) => Promise<void>;
  /**
   * Handles consecutive records of one partition together (e.g. one database transaction). If it
   * fails with anything but a TransientError, the records are retried one by one to isolate the bad one.
   */
  handleBatch?: (records: ConsumedRecord[]) => Promise<void>;
  maxBatchRecords?: number;
  /** Attempts for an unclassified error before the record is dead-lettered. */
  maxAttempts?: number;
  retryBackoff?: BackoffOptions;
  /** Partitions handled in parallel by this process; order holds within each partition. */
  partitionsConsumedConcurrently?: number;
  sessionTimeoutMs?: number;
  /** Where a new group starts: the earliest record (default) or only new ones. */
  fromBeginning?: boolean;
  /**
   * false for an in-memory view rebuilt from the start of a (compacted) topic on every run: nothing is
   * committed, so with a group id unique to the run the group leaves no trace once it stops.
   */
  commitOffsets?: boolean;
  /**
   * How often the offsets of finished work are committed, in one request for every partition this
   * member works on. No batch waits for a commit round trip; a crash repeats at most this much work
   * (delivery is at-least-once either way).
   */
  commitIntervalMs?: number;
  /**
   * Called once a record is in the dead-letter topic, before its offset becomes committable: for
   * telling whoever waits on the record that it was given up on (persistence answers the sender of a
   * command `not_stored`). A TransientError is retried with backoff for as long as it takes (the
   * partition waits, as for any transient failure); any other error after `maxAttempts` attempts is
   * logged and the partition moves on. Interrupted (stop, rebalance), the record is left uncommitted:
   * its next owner handles it again, so the dead-letter topic may then hold it twice.
   */
  onDeadLettered?: (record: ConsumedRecord, error: unknown) => Promise<void>;
}

export interface ConsumerStatus {
  groupId: string;
  topics: string[];
  joined: boolean;
  /** Partitions this member holds, by topic, as of its last join. */
  assignment: Record<string, number[]>;
  lastError?: string;
}

interface BatchControl {
  heartbeat(): Promise<void>;
  interrupted(): boolean;
}

/** Default for `commitIntervalMs`. */
export const DEFAULT_COMMIT_INTERVAL_MS = 100;

/**
 * How long one commit may take before the next one goes ahead without it. kafkajs retries a commit
 * for minutes while the broker is away; commits are best effort (delivery is at-least-once), so
 * none may hold up the ones after it, a batch, or a stop.
 */
const COMMIT_TIMEOUT_MS = 5000;

/** The offset to commit for a partition: the one after the last record whose work is done. */
interface PendingCommit {
  topic: string;
  partition: number;
  offset: string;
}

/**
 * A consumer group member with the semantics every service relies on: offsets are committed only
 * after the handler finished the records before them; a record that keeps failing goes to
 * `<topic>.dlq` with its original key, value and headers plus the error, and the partition moves on;
 * transient failures are retried with backoff without losing the partition's order.
 */
export class ManagedConsumer {
  private readonly logger: Logger;
  private readonly options: Required<Omit<ConsumerOptions, 'handle' | 'handleBatch' | 'onDeadLettered'>> & Pick<ConsumerOptions, 'handle' | 'handleBatch' | 'onDeadLettered'>;
  private consumer: Consumer | null = null;
  private readonly stopping = new AbortController();
  private running: Promise<void> | null = null;
  private firstRun: Promise<void>;
  private resolveFirstRun!: () => void;
  private crashed: ((error: Error) => void) | null = null;
  private joined = false;
  private joinCount = 0;
  private assignment: Record<string, number[]> = {};
  private lastError: string | undefined;
  /** Partitions, by topic, that have a lag series, so it can be dropped when they are no longer ours. */
  private readonly lagSeries = new Map<string, Set<number>>();
  /** Finished work not yet committed, by `topic/partition`; committed on the cadence, on rebalance and on stop. */
  private readonly pendingCommits = new Map<string, PendingCommit>();
  private committing: Promise<void> = Promise.resolve();
  private commitTimer: NodeJS.Timeout | null = null;
  private readonly batchesInHand = new Set<Promise<void>>();

  constructor(
    private readonly client: KafkaClient,
    private readonly producer: KafkaProducer,
    options: ConsumerOptions,
  ) {
    if (!options.handle === !options.handleBatch) throw new Error('ConsumerOptions: give exactly one of handle or handleBatch');
    this.options = {
      maxBatchRecords: 500,
      maxAttempts: 5,
      retryBackoff: { initialMs: 200, maxMs: 10000 },
      partitionsConsumedConcurrently: 1,
      sessionTimeoutMs: 10000,
      fromBeginning: true,
      commitOffsets: true,
      commitIntervalMs: DEFAULT_COMMIT_INTERVAL_MS,
      ...options,
    };
    this.logger = new Logger(`KafkaConsumer:${options.groupId}`);
    this.firstRun = new Promise((resolve) => (this.resolveFirstRun = resolve));
  }

  /**
   * Connects, subscribes and starts consuming once Kafka is reachable. Resolves when consumption
   * first started; from then on a consumer that crashes for good is replaced, with backoff.
   */
  start(): Promise<void> {
    this.running ??= this.runLoop();
    return Promise.race([this.firstRun, this.running]);
  }

  /**
   * How often this member joined its group so far (a rejoin after a crash or a rebalance counts),
   * and whether it is in it now: cheap enough to ask on every record.
   */
  get membership(): { joins: number; joined: boolean } {
    return { joins: this.joinCount, joined: this.joined };
  }

  status(): ConsumerStatus {
    return { groupId: this.options.groupId, topics: this.options.topics, joined: this.joined, assignment: this.assignment, lastError: this.lastError };
  }

  /** Stops fetching, lets the batch in hand finish, commits what is done, leaves the group. */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.crashed?.(new ConsumerInterrupted());
    // kafkajs drops commits once it is disconnecting, so commit before: the batches in hand stop at
    // their next record (interrupted), then everything finished goes out in one commit.
    await Promise.allSettled(this.batchesInHand);
    if (this.consumer) await this.flushCommits(this.consumer);
    await this.consumer?.disconnect();
    await this.running;
    if (this.commitTimer) clearInterval(this.commitTimer);
    this.commitTimer = null;
    this.joined = false;
    this.dropLagSeries({});
    this.logger.log('consumer stopped');
  }

  private createConsumer(): Consumer {
    const consumer = this.client.kafka.consumer(kafkaConsumerSettings(this.options.groupId, this.options.sessionTimeoutMs));
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.joined = true;
      this.joinCount += 1;
      this.assignment = payload.memberAssignment;
      this.lastError = undefined;
      this.dropLagSeries(payload.memberAssignment);
      this.dropPendingCommits(payload.memberAssignment);
      this.logger.log({ msg: 'joined group', assignment: payload.memberAssignment });
    });
    // Commit finished work while the group rebalances (the coordinator accepts commits of the
    // current generation until it completes), so the next owner of a partition repeats little.
    consumer.on(consumer.events.REBALANCING, () => void this.flushCommits(consumer));
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.joined = false;
      this.lastError = describeError(payload.error);
      this.logger.error({ msg: 'consumer crashed', error: this.lastError, restartedByClient: payload.restart });
      // kafkajs restarts by itself after retriable failures; after the others this member is dead.
      if (!payload.restart) this.crashed?.(payload.error);
    });
    return consumer;
  }

  private async runLoop(): Promise<void> {
    await Promise.race([this.client.connected(), new Promise((resolve) => this.stopping.signal.addEventListener('abort', resolve))]);
    const deadLetterTopics = this.options.topics.map(deadLetterTopicOf);
    for (let attempt = 1; !this.stopping.signal.aborted; attempt += 1) {
      const consumer = this.createConsumer();
      this.consumer = consumer;
      const crash = new Promise<Error>((resolve) => (this.crashed = resolve));
      try {
        await provisionTopics(this.client.admin, deadLetterTopics, this.client.options);
        await consumer.connect();
        await consumer.subscribe({ topics: this.options.topics, fromBeginning: this.options.fromBeginning });
        await consumer.run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
          eachBatch: (payload) => this.trackBatch(this.eachBatch(consumer, payload)),
        });
        this.startCommitTimer(consumer);
        this.resolveFirstRun();
        attempt = 0;
        await crash;
      } catch (error) {
        this.lastError = describeError(error);
      }
      if (this.stopping.signal.aborted) return;
      const delay = backoffDelay(Math.max(1, attempt), { initialMs: 500, maxMs: 10000 });
      this.logger.warn({ msg: 'consumer not running, starting a new one', retryInMs: delay, error: this.lastError });
      await consumer.disconnect().catch(() => undefined);
      await sleep(delay, this.stopping.signal);
    }
  }

  private async eachBatch(consumer: Consumer, { batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const control: BatchControl = {
      heartbeat,
      interrupted: () => this.stopping.signal.aborted || !isRunning() || isStale(),
    };
    const records = batch.messages.map((message) => toConsumedRecord(batch.topic, batch.partition, message));
    const labels = { group: this.options.groupId, topic: batch.topic };
    // Lag as of this fetch: the records from the first one in hand to the partition's end.
    if (records.length > 0) this.setLag(batch.topic, batch.partition, lagAfter(batch.highWatermark, records[0].offset) + 1);
    const markDone = async (offset: string, records: number) => {
      resolveOffset(offset);
      if (this.options.commitOffsets) this.pendingCommits.set(partitionKey(batch.topic, batch.partition), { topic: batch.topic, partition: batch.partition, offset: nextOffset(offset) });
      KafkaMetrics.consumed.inc(labels, records);
      this.setLag(batch.topic, batch.partition, lagAfter(batch.highWatermark, offset));
      await heartbeat();
    };

    try {
      if (this.options.handleBatch) {
        const handleBatch = this.options.handleBatch;
        for (const chunk of chunks(records, this.options.maxBatchRecords)) {
          await this.processChunk(chunk, handleBatch, control);
          await markDone(chunk[chunk.length - 1].offset, chunk.length);
        }
      } else {
        const handle = this.options.handle as (record: ConsumedRecord) => Promise<void>;
        for (const record of records) {
          await this.processRecord(record, handle, control);
          await markDone(record.offset, 1);
        }
      }
    } catch (error) {
      if (!(error instanceof ConsumerInterrupted)) throw error;
      // Stopping or rebalanced: keep what is finished, leave the rest for whoever owns the partition next.
      // Not awaited: kafkajs restarts a crashed consumer only once its batches returned.
      if (!isStale()) void this.flushCommits(consumer);
    }
  }

  private async trackBatch(batch: Promise<void>): Promise<void> {
    this.batchesInHand.add(batch);
    try {
      await batch;
    } finally {
      this.batchesInHand.delete(batch);
    }
  }

  private startCommitTimer(consumer: Consumer): void {
    if (!this.options.commitOffsets) return;
    if (this.commitTimer) clearInterval(this.commitTimer);
    this.commitTimer = setInterval(() => void this.flushCommits(consumer), this.options.commitIntervalMs);
    this.commitTimer.unref();
  }

  /**
   * Commits every partition's finished work in one request. Commits run one at a time, in order; a
   * failed one puts its offsets back unless newer work replaced them (the next flush retries), so a
   * commit never moves past work that is not done. One that timed out may still land after a newer
   * one and move the committed offset back: that repeats work, it never skips any.
   */
  private flushCommits(consumer: Consumer): Promise<void> {
    this.committing = this.committing.then(async () => {
      if (this.pendingCommits.size === 0) return;
      const offsets = [...this.pendingCommits.values()];
      this.pendingCommits.clear();
      try {
        await withTimeout(consumer.commitOffsets(offsets), COMMIT_TIMEOUT_MS, `offset commit not answered within ${COMMIT_TIMEOUT_MS} ms`);
      } catch (error) {
        for (const commit of offsets) {
          const key = partitionKey(commit.topic, commit.partition);
          if (!this.pendingCommits.has(key)) this.pendingCommits.set(key, commit);
        }
        this.logger.warn({ msg: 'offset commit failed, retrying on the next one', partitions: offsets.length, error: describeError(error) });
      }
    });
    return this.committing;
  }

  /** Forgets uncommitted work of partitions this member no longer owns; their new owner repeats it. */
  private dropPendingCommits(assignment: Record<string, number[]>): void {
    for (const [key, commit] of this.pendingCommits) {
      if (!(assignment[commit.topic] ?? []).includes(commit.partition)) this.pendingCommits.delete(key);
    }
  }

  private async processChunk(records: ConsumedRecord[], handleBatch: (records: ConsumedRecord[]) => Promise<void>, control: BatchControl): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      if (control.interrupted()) throw new ConsumerInterrupted();
      const stopwatch = KafkaMetrics.handlerDuration.startTimer({ group: this.options.groupId, topic: records[0].topic });
      try {
        await handleBatch(records);
        stopwatch();
        return;
      } catch (error) {
        stopwatch();
        this.countFailure(records[0].topic, error);
        if (error instanceof TransientError) {
          await this.backoff(attempt, error, records[0], control);
          continue;
        }
        this.logger.warn({ msg: 'batch failed, isolating records', records: records.length, error: describeError(error) });
        for (const record of records) await this.processRecord(record, (one) => handleBatch([one]), control);
        return;
      }
    }
  }

  private async processRecord(record: ConsumedRecord, handle: (record: ConsumedRecord) => Promise<void>, control: BatchControl): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      if (control.interrupted()) throw new ConsumerInterrupted();
      const stopwatch = KafkaMetrics.handlerDuration.startTimer({ group: this.options.groupId, topic: record.topic });
      try {
        await runWithTrace(record.traceId ?? newTraceId(), () => handle(record));
        stopwatch();
        return;
      } catch (error) {
        stopwatch();
        this.countFailure(record.topic, error);
        const permanent = error instanceof PermanentError || error instanceof ProtocolError;
        if (permanent || (!(error instanceof TransientError) && attempt >= this.options.maxAttempts)) {
          await this.deadLetter(record, error, attempt);
          await this.notifyDeadLettered(record, error, control);
          return;
        }
        await this.backoff(attempt, error, record, control);
      }
    }
  }

  /** Waits before the next attempt, heartbeating so the group does not evict a patient member. */
  private async backoff(attempt: number, error: unknown, record: ConsumedRecord, control: BatchControl): Promise<void> {
    const delay = backoffDelay(attempt, this.options.retryBackoff);
    KafkaMetrics.retries.inc({ group: this.options.groupId, topic: record.topic });
    this.logger.warn({ msg: 'handler failed, retrying', topic: record.topic, partition: record.partition, offset: record.offset, attempt, retryInMs: delay, error: describeError(error) });
    const until = Date.now() + delay;
    while (Date.now() < until) {
      if (control.interrupted()) throw new ConsumerInterrupted();
      await sleep(Math.min(1000, until - Date.now()), this.stopping.signal);
      await control.heartbeat();
    }
  }

  private async deadLetter(record: ConsumedRecord, error: unknown, attempts: number): Promise<void> {
    const topic = deadLetterTopicOf(record.topic).name;
    await this.producer.sendRaw(topic, [
      {
        key: record.key,
        value: record.value,
        headers: {
          ...record.rawHeaders,
          [Headers.dlqError]: describeError(error).slice(0, 4000),
          [Headers.dlqSourceTopic]: record.topic,
          [Headers.dlqSourcePartition]: String(record.partition),
          [Headers.dlqSourceOffset]: record.offset,
          [Headers.dlqConsumerGroup]: this.options.groupId,
          [Headers.dlqAttempts]: String(attempts),
          [Headers.dlqFailedAt]: new Date().toISOString(),
        },
      },
    ]);
    KafkaMetrics.deadLetters.inc({ topic: record.topic });
    this.logger.error({ msg: 'record dead-lettered', topic: record.topic, partition: record.partition, offset: record.offset, deadLetterTopic: topic, attempts, error: describeError(error) });
  }

  /** Runs `onDeadLettered` for a record now in the dead-letter topic (see ConsumerOptions.onDeadLettered). */
  private async notifyDeadLettered(record: ConsumedRecord, deadLetterError: unknown, control: BatchControl): Promise<void> {
    const observer = this.options.onDeadLettered;
    if (!observer) return;
    for (let attempt = 1; ; attempt += 1) {
      if (control.interrupted()) throw new ConsumerInterrupted();
      try {
        await runWithTrace(record.traceId ?? newTraceId(), () => observer(record, deadLetterError));
        return;
      } catch (error) {
        if (!(error instanceof TransientError) && attempt >= this.options.maxAttempts) {
          this.logger.error({ msg: 'telling of a dead letter failed, giving up', topic: record.topic, partition: record.partition, offset: record.offset, attempts: attempt, error: describeError(error) });
          return;
        }
        await this.backoff(attempt, error, record, control);
      }
    }
  }

  private countFailure(topic: string, error: unknown): void {
    KafkaMetrics.handlerFailures.inc({ group: this.options.groupId, topic, kind: failureKind(error) });
  }

  private setLag(topic: string, partition: number, lag: number): void {
    KafkaMetrics.lag.set({ group: this.options.groupId, topic, partition: String(partition) }, lag);
    let partitions = this.lagSeries.get(topic);
    if (!partitions) {
      partitions = new Set();
      this.lagSeries.set(topic, partitions);
    }
    partitions.add(partition);
  }

  /** Forgets the lag of partitions outside `assignment` (after a rebalance; all of them when stopping). */
  private dropLagSeries(assignment: Record<string, number[]>): void {
    for (const [topic, partitions] of this.lagSeries) {
      const kept = new Set(assignment[topic] ?? []);
      for (const partition of partitions) {
        if (kept.has(partition)) continue;
        KafkaMetrics.lag.remove({ group: this.options.groupId, topic, partition: String(partition) });
        partitions.delete(partition);
      }
    }
  }
}

function failureKind(error: unknown): FailureKind {
  if (error instanceof TransientError) return 'transient';
  if (error instanceof PermanentError) return 'permanent';
  if (error instanceof ProtocolError) return 'protocol';
  return 'other';
}

/** Records left in a partition after `offset`, by the high watermark of the fetch (never negative). */
function lagAfter(highWatermark: string, offset: string): number {
  const lag = BigInt(highWatermark) - BigInt(offset) - 1n;
  return lag > 0n ? Number(lag) : 0;
}

function partitionKey(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}

function nextOffset(offset: string): string {
  return (BigInt(offset) + 1n).toString();
}

function chunks<T>(items: T[], size: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}
