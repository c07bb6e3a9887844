import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { groupConversationId, type CreateGroupCommand, type EnvelopeOf } from '@chat/protocol';
import { ConversationEntity } from '../database/entities/conversation.entity';
import { CommandRejected, listIds } from '../outcomes/command-rejected';
import { answer, type Effect, membershipChanged } from '../outcomes/effects';
import { ConversationState, insertConversation, insertMembers, loadConversation, requireMember, unknownUsers } from './conversation-state';
import { GroupQuotas } from './group-quotas';

type CreateGroup = EnvelopeOf<typeof CreateGroupCommand>;

/**
 * Creates a group of the creator and `memberIds` (every one must be a known user). The creator is
 * its owner (and recorded as `created_by`); the others are members. With a `clientGroupId` the id
 * is derived from it and the creator: a retry (or a replayed command) answers with the group the
 * first made, as it is now, and changes nothing, and is neither counted nor refused by the quota.
 * A new group must fit GROUP_MAX_MEMBERS and the creator's GROUPS_PER_USER_PER_HOUR.
 */
@Injectable()
export class CreateGroupUseCase {
  constructor(private readonly quotas: GroupQuotas) {}

  async execute(command: CreateGroup, manager: EntityManager): Promise<Effect[]> {
    const { userId, title, replyTo, clientGroupId } = command.payload;
    const id = clientGroupId === undefined ? randomUUID() : groupConversationId(userId, clientGroupId);
    if (clientGroupId !== undefined) {
      const existing = await loadConversation(manager, id);
      if (existing) return [answer(command, requireMember(existing, userId, id).frameFor(userId, replyTo.requestId))];
    }
    const others = command.payload.memberIds.filter((id) => id !== userId);
    const unknown = await unknownUsers(manager, others);
    if (unknown.length > 0) throw new CommandRejected('not_found', `user ${listIds(unknown)} does not exist`);
    this.quotas.requireSize(others.length + 1);
    const now = new Date();
    await this.quotas.requireRoomToCreate(manager, userId, now);

    const conversation = manager.create(ConversationEntity, {
      id,
      kind: 'group',
      title,
      createdBy: userId,
      lastSeq: 0,
      createdAt: now,
      lastActivityAt: now,
    });
    await insertConversation(manager, conversation);
    const state = new ConversationState(conversation, await insertMembers(manager, conversation, [userId, ...others], now, userId));
    return [
      membershipChanged(command, state.membershipChange({ added: state.memberIds, by: userId })),
      answer(command, state.frameFor(userId, replyTo.requestId)),
    ];
  }
}
