import type { EnvelopeOf, MembershipChanged, ServerFrameOf } from '@chat/protocol';

export type MembershipChange = EnvelopeOf<typeof MembershipChanged>['payload'];

export interface MembershipNotice {
  frame: ServerFrameOf<'member_added'> | ServerFrameOf<'member_removed'>;
  userIds: string[];
}

/**
 * The frames a membership change pushes: `member_added` to every member after the change (the new
 * ones included, which is how they learn of the conversation; on a new conversation everyone is
 * new), and per removed user a `member_removed` to the remaining members and to that user.
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
  return notices;
}
