import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { EnvelopeOf, TransferOwnershipCommand } from '@chat/protocol';
import { MemberEntity } from '../database/entities/member.entity';
import { answer, type Effect, membershipChanged } from '../outcomes/effects';
import { loadGroupForChange, requireRole, requireTargetMember } from './conversation-state';

type TransferOwnership = EnvelopeOf<typeof TransferOwnershipCommand>;

/**
 * Hands a group over to another member: the owner only (`forbidden`); the new owner must be a member
 * (`conflict`). The old owner stays as an admin (and may then leave). Every member gets
 * `group_updated`. Handing it to whoever owns it already changes nothing, so a retry of a transfer
 * that went through answers with the group as it is.
 */
@Injectable()
export class TransferOwnershipUseCase {
  async execute(command: TransferOwnership, manager: EntityManager): Promise<Effect[]> {
    const { userId, conversationId, memberId, replyTo } = command.payload;
    const state = await loadGroupForChange(manager, conversationId, userId);
    if (state.roleOf(memberId) === 'owner') return [answer(command, state.frameFor(userId, replyTo.requestId))];
    requireRole(state, userId, 'owner', 'hand the group over');
    requireTargetMember(state, memberId);

    // The old owner steps down first: the database allows one owner per group at any moment.
    await manager.update(MemberEntity, { conversationId, userId }, { role: 'admin' });
    await manager.update(MemberEntity, { conversationId, userId: memberId }, { role: 'owner' });
    for (const member of state.members) {
      if (member.userId === userId) member.role = 'admin';
      if (member.userId === memberId) member.role = 'owner';
    }
    return [
      membershipChanged(command, state.membershipChange({ changed: ['roles'], by: userId })),
      answer(command, state.frameFor(userId, replyTo.requestId)),
    ];
  }
}
