import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CreateGroupCommand, EnvelopeOf } from '@chat/protocol';
import { ConversationEntity } from '../database/entities/conversation.entity';
import { CommandRejected, listIds } from '../outcomes/command-rejected';
import { answer, type Effect, membershipChanged } from '../outcomes/effects';
import { ConversationState, insertConversation, insertMembers, unknownUsers } from './conversation-state';

type CreateGroup = EnvelopeOf<typeof CreateGroupCommand>;

/**
 * Creates a group of the creator and `memberIds` (every one must be a known user). The creator is
 * recorded as `created_by`: the only member who may later remove others.
 */
@Injectable()
export class CreateGroupUseCase {
  async execute(command: CreateGroup, manager: EntityManager): Promise<Effect[]> {
    const { userId, title, replyTo } = command.payload;
    const others = command.payload.memberIds.filter((id) => id !== userId);
    const unknown = await unknownUsers(manager, others);
    if (unknown.length > 0) throw new CommandRejected('not_found', `user ${listIds(unknown)} does not exist`);

    const now = new Date();
    const conversation = manager.create(ConversationEntity, {
      id: randomUUID(),
      kind: 'group',
      title,
      createdBy: userId,
      lastSeq: 0,
      createdAt: now,
      lastActivityAt: now,
    });
    await insertConversation(manager, conversation);
    const state = new ConversationState(conversation, await insertMembers(manager, conversation, [userId, ...others], now));
    return [
      membershipChanged(command, { conversationId: state.id, kind: 'group', title, memberIds: state.memberIds, added: state.memberIds, removed: [], by: userId }),
      answer(command, state.frameFor(userId, replyTo.requestId)),
    ];
  }
}
