import type { ConversationKind } from '@chat/protocol';

export interface ConversationMembers {
  kind: ConversationKind;
  title?: string;
  memberIds: readonly string[];
}

/**
 * Who is in which conversation, from the compacted `chat.memberships` (the latest record per
 * conversation is its complete member list). Kept both ways: conversation → members for typing,
 * user → conversations for finding the contacts a presence change concerns.
 */
export class MembershipView {
  private readonly conversations = new Map<string, ConversationMembers>();
  private readonly byUser = new Map<string, Set<string>>();

  /** The latest membership of a conversation; null (a tombstone) forgets the conversation. */
  apply(conversationId: string, members: ConversationMembers | null): void {
    const previous = this.conversations.get(conversationId);
    for (const userId of previous?.memberIds ?? []) this.unlink(userId, conversationId);
    if (members === null) {
      this.conversations.delete(conversationId);
      return;
    }
    this.conversations.set(conversationId, { kind: members.kind, title: members.title, memberIds: [...members.memberIds] });
    for (const userId of members.memberIds) {
      let conversations = this.byUser.get(userId);
      if (!conversations) {
        conversations = new Set();
        this.byUser.set(userId, conversations);
      }
      conversations.add(conversationId);
    }
  }

  get(conversationId: string): ConversationMembers | undefined {
    return this.conversations.get(conversationId);
  }

  isMember(conversationId: string, userId: string): boolean {
    return this.byUser.get(userId)?.has(conversationId) ?? false;
  }

  conversationsOf(userId: string): ReadonlySet<string> {
    return this.byUser.get(userId) ?? new Set();
  }

  /** Everyone who shares at least one conversation with the user, the user excluded. */
  contactsOf(userId: string): Set<string> {
    const contacts = new Set<string>();
    for (const conversationId of this.conversationsOf(userId)) {
      for (const memberId of this.conversations.get(conversationId)?.memberIds ?? []) {
        if (memberId !== userId) contacts.add(memberId);
      }
    }
    return contacts;
  }

  get size(): number {
    return this.conversations.size;
  }

  private unlink(userId: string, conversationId: string): void {
    const conversations = this.byUser.get(userId);
    if (!conversations) return;
    conversations.delete(conversationId);
    if (conversations.size === 0) this.byUser.delete(userId);
  }
}
