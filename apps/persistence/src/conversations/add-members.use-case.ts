import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { MAX_GROUP_MEMBERS, type AddMembersCommand, type EnvelopeOf } from '@chat/protocol';
import { CommandRejected, listIds } from '../outcomes/command-rejected';
import { answer, type Effect, membershipChanged } from '../outcomes/effects';
import { ConversationState, insertMembers, loadGroupForMemberChange, unknownUsers } from './conversation-state';

type AddMembers = EnvelopeOf<typeof AddMembersCommand>;

/**
 * Adds users to a group. Any member may add; users already in it are skipped (all of them already
 * in it is a `conflict`), unknown users are `not_found`, a direct conversation is `forbidden`, and
 * the group may not grow beyond MAX_GROUP_MEMBERS (`conflict`). New members start with nothing
 * unread; the history before they joined stays readable to them.
 */
@Injectable()
export class AddMembersUseCase {
  async execute(command: AddMembers, manager: EntityManager): Promise<Effect[]> {
    const { userId, conversationId, memberIds, replyTo } = command.payload;
    const state = await loadGroupForMemberChange(manager, conversationId, userId);
    const { conversation } = state;
    const added = memberIds.filter((id) => !state.member(id));
    if (added.length === 0) throw new CommandRejected('conflict', `user ${listIds(memberIds)} is already a member`);
    const unknown = await unknownUsers(manager, added);
    if (unknown.length > 0) throw new CommandRejected('not_found', `user ${listIds(unknown)} does not exist`);
    if (state.members.length + added.length > MAX_GROUP_MEMBERS) {
      throw new CommandRejected('conflict', `the group would have ${state.members.length + added.length} members; at most ${MAX_GROUP_MEMBERS} are allowed`);
    }

    const joined = await insertMembers(manager, conversation, added, new Date());
    const after = new ConversationState(conversation, [...state.members, ...joined]);
    return [
      membershipChanged(command, { conversationId, kind: 'group', title: conversation.title ?? undefined, memberIds: after.memberIds, added, removed: [], by: userId }),
      answer(command, after.frameFor(userId, replyTo.requestId)),
    ];
  }
}
