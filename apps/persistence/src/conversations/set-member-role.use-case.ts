import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { EnvelopeOf, SetMemberRoleCommand } from '@chat/protocol';
import { MemberEntity } from '../database/entities/member.entity';
import { CommandRejected } from '../outcomes/command-rejected';
import { answer, type Effect, membershipChanged } from '../outcomes/effects';
import { loadGroupForChange, requireRole, requireTargetMember } from './conversation-state';

type SetMemberRole = EnvelopeOf<typeof SetMemberRoleCommand>;

/**
 * Makes a member an admin, or an admin a member again: the owner only (`forbidden`). The owner's own
 * role changes only by handing the group over (`forbidden`); the user must be a member (`conflict`).
 * Every member gets `group_updated`. Giving the role someone already has changes nothing and
 * announces nothing, so a retry answers as the first did.
 */
@Injectable()
export class SetMemberRoleUseCase {
  async execute(command: SetMemberRole, manager: EntityManager): Promise<Effect[]> {
    const { userId, conversationId, memberId, role, replyTo } = command.payload;
    const state = await loadGroupForChange(manager, conversationId, userId);
    requireRole(state, userId, 'owner', 'make or unmake admins');
    const target = requireTargetMember(state, memberId);
    const current = state.roleOf(memberId);
    if (current === 'owner') throw new CommandRejected('forbidden', "the owner's role changes only by handing the group over (transfer_ownership)");
    if (current === role) return [answer(command, state.frameFor(userId, replyTo.requestId))];

    await manager.update(MemberEntity, { conversationId, userId: memberId }, { role });
    target.role = role;
    return [
      membershipChanged(command, state.membershipChange({ changed: ['roles'], by: userId })),
      answer(command, state.frameFor(userId, replyTo.requestId)),
    ];
  }
}
