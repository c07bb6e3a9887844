import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { EnvelopeOf, RenameGroupCommand } from '@chat/protocol';
import { ConversationEntity } from '../database/entities/conversation.entity';
import { answer, type Effect, membershipChanged } from '../outcomes/effects';
import { loadGroupForChange, requireRole, storedTitle } from './conversation-state';

type RenameGroup = EnvelopeOf<typeof RenameGroupCommand>;

/**
 * Renames a group: the owner and admins may (`forbidden` otherwise; a direct conversation has no
 * title, `forbidden`). The new title goes to every member with `group_updated`. Renaming to the
 * title it has changes nothing and announces nothing, so a retried rename answers as the first did.
 */
@Injectable()
export class RenameGroupUseCase {
  async execute(command: RenameGroup, manager: EntityManager): Promise<Effect[]> {
    const { userId, conversationId, title, replyTo } = command.payload;
    const state = await loadGroupForChange(manager, conversationId, userId);
    requireRole(state, userId, 'admin', 'rename the group');
    if (state.conversation.title === title) return [answer(command, state.frameFor(userId, replyTo.requestId))];

    await manager.update(ConversationEntity, { id: conversationId }, storedTitle(conversationId, title));
    state.conversation.title = title;
    return [
      membershipChanged(command, state.membershipChange({ changed: ['title'], by: userId })),
      answer(command, state.frameFor(userId, replyTo.requestId)),
    ];
  }
}
