import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { EnvelopeOf, RemoveMemberCommand } from '@chat/protocol';
import { MemberEntity } from '../database/entities/member.entity';
import { CommandRejected } from '../outcomes/command-rejected';
import { answer, type Effect, membershipChanged } from '../outcomes/effects';
import { ConversationState, loadGroupForChange, ROLE_RANK, requireTargetMember } from './conversation-state';

type RemoveMember = EnvelopeOf<typeof RemoveMemberCommand>;

/**
 * Removes a member from a group. Every member may leave (remove themselves), except the owner while
 * others remain: they hand the group over first (`forbidden`). Someone else may be removed only by a
 * higher role: the owner removes admins and members, admins remove members (`forbidden` otherwise).
 * Direct conversations never change (`forbidden`); removing a non-member is a `conflict`. The answer
 * is the group as it is afterwards, which no longer lists a member who left. From the commit on,
 * the removed user is no recipient of anything stored and reads nothing (`not_member`).
 */
@Injectable()
export class RemoveMemberUseCase {
  async execute(command: RemoveMember, manager: EntityManager): Promise<Effect[]> {
    const { userId, conversationId, memberId, replyTo } = command.payload;
    const state = await loadGroupForChange(manager, conversationId, userId);
    requireTargetMember(state, memberId);
    if (memberId === userId) {
      if (state.roleOf(userId) === 'owner' && state.members.length > 1) {
        throw new CommandRejected('forbidden', 'the owner cannot leave while others are in the group: hand it over first (transfer_ownership)');
      }
    } else {
      refuseUnlessOutranks(state, userId, memberId);
    }

    await manager.delete(MemberEntity, { conversationId, userId: memberId });
    const after = new ConversationState(state.conversation, state.members.filter((member) => member.userId !== memberId));
    return [
      membershipChanged(command, after.membershipChange({ removed: [memberId], by: userId })),
      answer(command, after.frameFor(userId, replyTo.requestId)),
    ];
  }
}

function refuseUnlessOutranks(state: ConversationState, userId: string, memberId: string): void {
  const role = state.roleOf(userId) ?? 'member';
  const targetRole = state.roleOf(memberId) ?? 'member';
  if (role === 'member') throw new CommandRejected('forbidden', "only the group's owner or admins may remove others; you are a member (you may leave)");
  if (targetRole === 'owner') throw new CommandRejected('forbidden', "the group's owner cannot be removed; they may hand it over (transfer_ownership) and leave");
  if (ROLE_RANK[role] <= ROLE_RANK[targetRole]) throw new CommandRejected('forbidden', "only the group's owner may remove an admin");
}
