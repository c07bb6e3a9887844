import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { ChatCommandEnvelope } from '@chat/protocol';
import { TransientError } from '@chat/kafka';
import { runWithTrace } from '@chat/logging';
import { classifyDatabaseError } from '../database/database-errors';
import { PersistenceMetrics } from '../telemetry/persistence.metrics';
import type { SendMessage } from '../messages/send-message.use-case';
import { CommandDispatcher } from './command-dispatcher';
import { CommandRejected } from '../outcomes/command-rejected';
import { type Effect, insertedMessageOf, rejectionAnswer } from '../outcomes/effects';
import { EffectPublisher } from './effect-publisher';
import { changesState, findProcessed, recordProcessed } from './processed-commands';

/**
 * Applies consecutive commands of one partition: all of them in ONE transaction, in order, then
 * (only after the commit: stored before shown) publishes what they produced, in order. The Kafka
 * consumer commits the offsets after this returns.
 *
 * The batches of the partitions one fetch brought (handed over by the consumer at the same moment)
 * share that transaction: `process` calls made in the same event-loop turn are applied together,
 * each partition's commands in their order (a conversation lives in one partition, so no command
 * waits on another partition's). That is one transaction and one publish per fetch instead of one
 * per partition. If the shared transaction fails for anything but a transient reason, each batch is
 * applied again in a transaction of its own, so one bad command never fails another partition's batch.
 *
 * A rejected command (not a member, unknown user, …) is answered with an `error` frame and the
 * batch goes on. A database outage becomes a TransientError (retried until the database is back);
 * any other failure rolls the batch back and lets the consumer retry its records one by one, so a
 * command that keeps failing is dead-lettered alone.
 */
@Injectable()
export class CommandBatchProcessor {
  private readonly logger = new Logger(CommandBatchProcessor.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly dispatcher: CommandDispatcher,
    private readonly publisher: EffectPublisher,
  ) {}

  private waiting: Array<{ commands: ChatCommandEnvelope[]; done: (error?: unknown) => void }> = [];

  /** Applies and publishes one partition's batch, together with the others handed over in this turn. */
  process(commands: ChatCommandEnvelope[]): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.waiting.length === 0) setImmediate(() => void this.processWaiting());
      this.waiting.push({ commands, done: (error?: unknown) => (error === undefined ? resolve() : reject(error)) });
    });
  }

  private async processWaiting(): Promise<void> {
    const batches = this.waiting;
    this.waiting = [];
    try {
      await this.processNow(batches.flatMap((batch) => batch.commands));
      for (const batch of batches) batch.done();
    } catch (error) {
      if (batches.length === 1 || error instanceof TransientError) {
        for (const batch of batches) batch.done(error);
        return;
      }
      // Find the batch at fault: each alone, so the others go through.
      await Promise.all(
        batches.map((batch) =>
          this.processNow(batch.commands).then(
            () => batch.done(),
            (alone: unknown) => batch.done(alone),
          ),
        ),
      );
    }
  }

  private async processNow(commands: ChatCommandEnvelope[]): Promise<void> {
    const startedAt = Date.now();
    const effects = await this.apply(commands);
    countInserted(effects);
    await this.publisher.publish(effects);
    this.logger.debug({ msg: 'command batch applied', commands: commands.length, records: effects.length, ms: Date.now() - startedAt });
  }

  /** Applies the commands in one transaction and returns the records to publish once it committed. */
  async apply(commands: ChatCommandEnvelope[]): Promise<Effect[]> {
    try {
      return await this.dataSource.transaction((manager) => this.applyAll(manager, commands));
    } catch (error) {
      throw classifyDatabaseError(error);
    }
  }

  private async applyAll(manager: EntityManager, commands: ChatCommandEnvelope[]): Promise<Effect[]> {
    // A command seen before (redelivered after a crash or a failed publish) re-publishes what it
    // produced then instead of being applied twice.
    const done = await findProcessed(manager, commands.filter(changesState).map((command) => command.id));
    const recorded: Array<{ command: ChatCommandEnvelope; effects: Effect[] }> = [];
    const effects: Effect[] = [];
    const applied = (command: ChatCommandEnvelope, produced: Effect[]) => {
      effects.push(...produced);
      if (changesState(command)) {
        recorded.push({ command, effects: produced });
        done.set(command.id, produced);
      }
    };
    for (let next = 0; next < commands.length; ) {
      const command = commands[next];
      const replayed = done.get(command.id);
      if (replayed) {
        this.logger.debug({ msg: 'command already applied, re-publishing its records', commandId: command.id, type: command.type });
        effects.push(...replayed);
        next += 1;
        continue;
      }
      if (command.type === 'chat.command.send-message') {
        // Consecutive sends are stored together (see SendMessageUseCase), in their order.
        const run = sendRun(commands, next, done);
        const outcomes = await this.dispatcher.sendMessages(run, manager);
        run.forEach((send, i) => applied(send, this.effectsOf(send, outcomes[i])));
        next += run.length;
        continue;
      }
      applied(command, await runWithTrace(command.traceId, () => this.applyOne(manager, command)));
      next += 1;
    }
    await recordProcessed(manager, recorded);
    return effects;
  }

  private effectsOf(command: ChatCommandEnvelope, outcome: Effect[] | CommandRejected): Effect[] {
    if (!(outcome instanceof CommandRejected)) return outcome;
    return runWithTrace(command.traceId, () => this.rejected(command, outcome));
  }

  private rejected(command: ChatCommandEnvelope, rejection: CommandRejected): Effect[] {
    this.logger.log({ msg: 'command rejected', type: command.type, commandId: command.id, code: rejection.code, reason: rejection.message });
    return [rejectionAnswer(command, rejection)];
  }

  private async applyOne(manager: EntityManager, command: ChatCommandEnvelope): Promise<Effect[]> {
    try {
      return await this.dispatcher.execute(command, manager);
    } catch (error) {
      if (!(error instanceof CommandRejected)) throw error;
      return this.rejected(command, error);
    }
  }
}

/**
 * The send-message commands from `start` on that can be stored together: not yet applied, and no
 * command twice (a repeated one must replay what the first produced).
 */
function sendRun(commands: readonly ChatCommandEnvelope[], start: number, done: ReadonlyMap<string, Effect[]>): SendMessage[] {
  const run: SendMessage[] = [];
  const ids = new Set<string>();
  for (let i = start; i < commands.length; i += 1) {
    const command = commands[i];
    if (command.type !== 'chat.command.send-message' || done.has(command.id) || ids.has(command.id)) break;
    run.push(command);
    ids.add(command.id);
  }
  return run;
}

/**
 * Counts the messages this batch inserted, once its transaction committed. A failed publish makes
 * the batch come again, but then its commands replay (nothing inserted), so each message counts once.
 */
function countInserted(effects: Effect[]): void {
  const { chat } = PersistenceMetrics;
  for (const effect of effects) {
    const inserted = insertedMessageOf(effect);
    if (!inserted) continue;
    chat.count('stored');
    chat.span('accepted_to_stored', inserted.acceptedAt, inserted.storedAt);
  }
}
