import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AddMembersCommand, EnvelopeOf } from '@chat/protocol';
import { CommandRejected, listIds } from '../outcomes/command-rejected';
import { answer, type Effect, membershipChanged } from '../outcomes/effects';
import { ConversationState, insertMembers, loadGroupForChange, requireRole, unknownUsers } from './conversation-state';
import { GroupQuotas } from './group-quotas';

type AddMembers = EnvelopeOf<typeof AddMembersCommand>;

/**
 * Adds users to a group, as members. Only the owner and admins may add (`forbidden`); users already
 * in it are skipped (all of them already in it is a `conflict`), unknown users are `not_found`, a
 * direct conversation is `forbidden`, and the group may not grow beyond GROUP_MAX_MEMBERS
 * (`quota_exceeded`). New members start with nothing unread; the history before they joined stays
 * readable to them.
 */
@Injectable()
export class AddMembersUseCase {
  constructor(private readonly quotas: GroupQuotas) {}

  async execute(command: AddMembers, manager: EntityManager): Promise<Effect[]> {
    const { userId, conversationId, memberIds, replyTo } = command.payload;
    const state = await loadGroupForChange(manager, conversationId, userId);
    requireRole(state, userId, 'admin', 'add members');
    const added = memberIds.filter((id) => !state.member(id));
    if (added.length === 0) throw new CommandRejected('conflict', `user ${listIds(memberIds)} is already a member`);
    const unknown = await unknownUsers(manager, added);
    if (unknown.length > 0) throw new CommandRejected('not_found', `user ${listIds(unknown)} does not exist`);
    this.quotas.requireSize(state.members.length + added.length);

    const joined = await insertMembers(manager, state.conversation, added, new Date());
    const after = new ConversationState(state.conversation, [...state.members, ...joined]);
    return [membershipChanged(command, after.membershipChange({ added, by: userId })), answer(command, after.frameFor(userId, replyTo.requestId))];
  }
}
