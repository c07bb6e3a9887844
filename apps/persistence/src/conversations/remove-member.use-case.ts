import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { EnvelopeOf, RemoveMemberCommand } from '@chat/protocol';
import { MemberEntity } from '../database/entities/member.entity';
import { CommandRejected } from '../outcomes/command-rejected';
import { answer, type Effect, membershipChanged } from '../outcomes/effects';
import { ConversationState, loadGroupForMemberChange } from './conversation-state';

type RemoveMember = EnvelopeOf<typeof RemoveMemberCommand>;

/**
 * Removes a member from a group. Every member may leave (remove themselves); only the group's
 * creator may remove someone else (`forbidden` otherwise; once the creator has left, nobody can).
 * Direct conversations never change (`forbidden`); removing a non-member is a `conflict`. The
 * answer is the group as it is afterwards, which no longer lists a member who left.
 */
@Injectable()
export class RemoveMemberUseCase {
  async execute(command: RemoveMember, manager: EntityManager): Promise<Effect[]> {
    const { userId, conversationId, memberId, replyTo } = command.payload;
    const state = await loadGroupForMemberChange(manager, conversationId, userId);
    const { conversation } = state;
    if (!state.member(memberId)) throw new CommandRejected('conflict', `user ${memberId} is not a member of conversation ${conversationId}`);
    if (memberId !== userId && conversation.createdBy !== userId) throw new CommandRejected('forbidden', "only the group's creator may remove other members");

    await manager.delete(MemberEntity, { conversationId, userId: memberId });
    const after = new ConversationState(conversation, state.members.filter((member) => member.userId !== memberId));
    return [
      membershipChanged(command, { conversationId, kind: 'group', title: conversation.title ?? undefined, memberIds: after.memberIds, added: [], removed: [memberId], by: userId }),
      answer(command, after.frameFor(userId, replyTo.requestId)),
    ];
  }
}
