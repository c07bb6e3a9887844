import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { directConversationId, type EnvelopeOf, type OpenDirectCommand } from '@chat/protocol';
import { ConversationEntity } from '../database/entities/conversation.entity';
import { CommandRejected } from '../outcomes/command-rejected';
import { answer, type Effect, membershipChanged } from '../outcomes/effects';
import { ConversationState, insertConversation, insertMembers, loadConversationForUpdate, requireMember, unknownUsers } from './conversation-state';

type OpenDirect = EnvelopeOf<typeof OpenDirectCommand>;

/**
 * Gets or creates the direct conversation of two users. Its id derives from the pair, so both
 * opening it at once meet in one conversation (and their commands share a partition). Only a
 * creation changes membership and is announced on `chat.memberships`.
 */
@Injectable()
export class OpenDirectUseCase {
  async execute(command: OpenDirect, manager: EntityManager): Promise<Effect[]> {
    const { userId, peerId, replyTo } = command.payload;
    const conversationId = directConversationId(userId, peerId);
    const existing = await loadConversationForUpdate(manager, conversationId);
    if (existing) return [answer(command, requireMember(existing, userId, conversationId).frameFor(userId, replyTo.requestId))];

    if ((await unknownUsers(manager, [peerId])).length > 0) throw new CommandRejected('not_found', `user ${peerId} does not exist`);
    const now = new Date();
    const conversation = manager.create(ConversationEntity, {
      id: conversationId,
      kind: 'direct',
      title: null,
      createdBy: userId,
      lastSeq: 0,
      createdAt: now,
      lastActivityAt: now,
    });
    await insertConversation(manager, conversation);
    const state = new ConversationState(conversation, await insertMembers(manager, conversation, [userId, peerId], now));
    return [
      membershipChanged(command, state.membershipChange({ added: state.memberIds, by: userId })),
      answer(command, state.frameFor(userId, replyTo.requestId)),
    ];
  }
}
