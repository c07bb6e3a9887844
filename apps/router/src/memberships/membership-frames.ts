import type { EnvelopeOf, MembershipChanged, ServerFrameOf } from '@chat/protocol';

export type MembershipChange = EnvelopeOf<typeof MembershipChanged>['payload'];

export interface MembershipNotice {
  frame: ServerFrameOf<'member_added'> | ServerFrameOf<'member_removed'> | ServerFrameOf<'group_updated'>;
  userIds: string[];
}

/**
 * The frames a membership change pushes: `member_added` to every member after the change (the new
 * ones included, which is how they learn of the conversation; on a new conversation everyone is
 * new), per removed user a `member_removed` to the remaining members and to that user, and for a
 * rename or a change of roles a `group_updated` with the group's title and roles to every member.
 */
export function membershipNotices(change: MembershipChange): MembershipNotice[] {
  const { conversationId, memberIds, added, removed, by } = change;
  const notices: MembershipNotice[] = [];
  if (added.length > 0) {
    notices.push({ frame: { type: 'member_added', conversationId, userIds: [...added], by }, userIds: [...memberIds] });
  }
  for (const userId of removed) {
    notices.push({ frame: { type: 'member_removed', conversationId, userId, by }, userIds: [...new Set([...memberIds, userId])] });
  }
  const { changed, title, ownerId, adminIds } = change;
  // The record's schema guarantees a group with its roles wherever something `changed`.
  if (changed?.length && title !== undefined && ownerId !== undefined && adminIds !== undefined) {
    notices.push({ frame: { type: 'group_updated', conversationId, title, ownerId, adminIds: [...adminIds], changed: [...changed], by }, userIds: [...memberIds] });
  }
  return notices;
}
