import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { ChatCommandEnvelope } from '@chat/protocol';
import { runWithTrace } from '@chat/logging';
import { classifyDatabaseError } from '../database/database-errors';
import { PersistenceMetrics } from '../telemetry/persistence.metrics';
import { CommandDispatcher } from './command-dispatcher';
import { CommandRejected } from './command-rejected';
import { type Effect, insertedMessageOf, rejectionAnswer } from './effects';
import { EffectPublisher } from './effect-publisher';
import { changesState, findProcessed, recordProcessed } from './processed-commands';

/**
 * Applies consecutive commands of one partition: all of them in ONE transaction, in order, then
 * (only after the commit: stored before shown) publishes what they produced, in order. The Kafka
 * consumer commits the offsets after this returns.
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

  async process(commands: ChatCommandEnvelope[]): Promise<void> {
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
    for (const command of commands) {
      const replayed = done.get(command.id);
      if (replayed) {
        this.logger.debug({ msg: 'command already applied, re-publishing its records', commandId: command.id, type: command.type });
        effects.push(...replayed);
        continue;
      }
      const produced = await runWithTrace(command.traceId, () => this.applyOne(manager, command));
      effects.push(...produced);
      if (changesState(command)) {
        recorded.push({ command, effects: produced });
        done.set(command.id, produced);
      }
    }
    await recordProcessed(manager, recorded);
    return effects;
  }

  private async applyOne(manager: EntityManager, command: ChatCommandEnvelope): Promise<Effect[]> {
    try {
      return await this.dispatcher.execute(command, manager);
    } catch (error) {
      if (!(error instanceof CommandRejected)) throw error;
      this.logger.log({ msg: 'command rejected', type: command.type, commandId: command.id, code: error.code, reason: error.message });
      return [rejectionAnswer(command, error)];
    }
  }
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
