import { In, LessThan, type EntityManager } from 'typeorm';
import { AnnouncementPublished, ChatEvents, MembershipChanged, Topics, type ChatCommandEnvelope } from '@chat/protocol';
import { ProcessedCommandEntity } from '../database/entities/processed-command.entity';
import { openField, sealField } from '../database/stored-content';
import type { Effect } from '../outcomes/effects';

/**
 * Commands that change state are recorded with the records they produced, in the same transaction
 * as their changes. Reads (sync, history, list) are not: answering them again is harmless. Nor are
 * sends, the hot path: the unique (conversation, sender, clientMsgId) key already makes them
 * idempotent, and a replayed send finds its stored message and announces it again, seq and all
 * (SendMessageUseCase), so a second copy of every send here would buy nothing.
 */
const STATE_CHANGING: ReadonlySet<ChatCommandEnvelope['type']> = new Set([
  'chat.command.receipt',
  'chat.command.open-direct',
  'chat.command.create-group',
  'chat.command.add-members',
  'chat.command.remove-member',
  'chat.command.rename-group',
  'chat.command.set-member-role',
  'chat.command.transfer-ownership',
  // Without a clientAnnouncementId nothing else would stop a replay from storing it twice.
  'chat.command.announce',
]);

export function changesState(command: ChatCommandEnvelope): boolean {
  return STATE_CHANGING.has(command.type);
}

/** What the commands among `commandIds` that were already applied produced, by command id. */
export async function findProcessed(manager: EntityManager, commandIds: string[]): Promise<Map<string, Effect[]>> {
  if (commandIds.length === 0) return new Map();
  const rows = await manager.find(ProcessedCommandEntity, { select: { commandId: true, effects: true, effectsKeyId: true }, where: { commandId: In(commandIds) } });
  return new Map(rows.map((row) => [row.commandId, effectsOf(row).map(revalidate)]));
}

/** The recorded records, opened: sealed rows hold a JSON string of ciphertext, older ones the array itself. */
function effectsOf(row: Pick<ProcessedCommandEntity, 'commandId' | 'effects' | 'effectsKeyId'>): Effect[] {
  if (row.effectsKeyId === null) return row.effects as Effect[];
  return JSON.parse(openField('commandEffects', row.commandId, row.effects as string, row.effectsKeyId)) as Effect[];
}

/** Records applied commands: one statement per batch, however many commands it holds; the records are sealed (they hold user content). */
export async function recordProcessed(manager: EntityManager, processed: Array<{ command: ChatCommandEnvelope; effects: Effect[] }>): Promise<void> {
  if (processed.length === 0) return;
  const sealed = processed.map(({ command, effects }) => sealField('commandEffects', command.id, JSON.stringify(effects)));
  await manager.query(
    `INSERT INTO processed_commands (command_id, command_type, effects, effects_key_id)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::jsonb[], $4::text[])`,
    [processed.map(({ command }) => command.id), processed.map(({ command }) => command.type), sealed.map(({ value }) => JSON.stringify(value)), sealed.map(({ keyId }) => keyId)],
  );
}

/** Forgets commands older than `cutoff`; Kafka can no longer deliver those again. Returns how many. */
export async function pruneProcessed(manager: EntityManager, cutoff: Date): Promise<number> {
  const result = await manager.delete(ProcessedCommandEntity, { processedAt: LessThan(cutoff) });
  return result.affected ?? 0;
}

/** Stored records are checked again before they are re-published, so a replay sends only valid records. */
function revalidate(effect: Effect): Effect {
  switch (effect.topic) {
    case Topics.events.name:
      return { ...effect, envelope: ChatEvents.parse(withLegacyAnswerUpgraded(effect.envelope)) };
    case Topics.memberships.name:
      return { ...effect, envelope: MembershipChanged.parse(effect.envelope) };
    case Topics.announcements.name:
      return { ...effect, envelope: AnnouncementPublished.parse(effect.envelope) };
    default:
      throw new Error(`processed command holds a record for unexpected topic ${String((effect as { topic: unknown }).topic)}`);
  }
}

/**
 * Rows recorded by releases before answers became one record type hold a `chat.command-answered`
 * with one `frame`; replayed during an upgrade, they mean the one-frame `chat.command-answers`.
 */
function withLegacyAnswerUpgraded(envelope: Effect['envelope']): Effect['envelope'] {
  if (envelope.type !== 'chat.command-answered') return envelope;
  const { frame, ...payload } = envelope.payload as { frame: unknown };
  return { ...envelope, type: 'chat.command-answers', payload: { ...payload, frames: [frame] } };
}
