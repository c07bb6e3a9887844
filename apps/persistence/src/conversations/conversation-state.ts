import { In, type EntityManager } from 'typeorm';
import type { ConversationSummary, EnvelopeOf, GroupChange, MemberRole, MembershipChanged, ServerFrameOf } from '@chat/protocol';
import { ConversationEntity } from '../database/entities/conversation.entity';
import { MemberEntity } from '../database/entities/member.entity';
import { UserEntity } from '../database/entities/user.entity';
import { openField, sealField } from '../database/stored-content';
import { CommandRejected } from '../outcomes/command-rejected';

type MembershipPayload = EnvelopeOf<typeof MembershipChanged>['payload'];

/** What a change did, for its `chat.membership-changed` record; the state after it fills in the rest. */
export interface MembershipChange {
  added?: string[];
  removed?: string[];
  changed?: GroupChange[];
  by: string;
}

/** A conversation with its members, as one command sees it inside the batch's transaction. */
export class ConversationState {
  readonly members: MemberEntity[];

  constructor(
    readonly conversation: ConversationEntity,
    members: MemberEntity[],
  ) {
    this.members = [...members].sort(byJoinOrder);
    // Opened once here, whoever loaded the row: from now on the title is the text (sealed again on write).
    if (conversation.title !== null && conversation.titleKeyId) {
      conversation.title = openField('groupTitle', conversation.id, conversation.title, conversation.titleKeyId);
      conversation.titleKeyId = null;
    }
  }

  get id(): string {
    return this.conversation.id;
  }

  /** In the order they joined; stable, so every frame lists members alike. */
  get memberIds(): string[] {
    return this.members.map((member) => member.userId);
  }

  member(userId: string): MemberEntity | undefined {
    return this.members.find((member) => member.userId === userId);
  }

  /** `userId`'s role in a group (undefined if not a member; `member` in a direct conversation). */
  roleOf(userId: string): MemberRole | undefined {
    const member = this.member(userId);
    if (!member) return undefined;
    return this.owner?.userId === userId ? 'owner' : member.role === 'admin' ? 'admin' : 'member';
  }

  /**
   * The group's owner. A group without an owner row was created by an instance of an earlier
   * release while this one rolled out (the migration gave every group it found one): like the
   * migration, its creator while a member, else its earliest member, owns it; the next change of
   * roles writes that down.
   */
  private get owner(): MemberEntity | undefined {
    if (this.conversation.kind !== 'group') return undefined;
    const { members } = this;
    return members.find((member) => member.role === 'owner') ?? members.find((member) => member.userId === this.conversation.createdBy) ?? members[0];
  }

  /** A group's roles, as frames and records carry them; none for a direct conversation or a group nobody is in. */
  get roles(): { ownerId: string; adminIds: string[] } | undefined {
    const owner = this.owner;
    if (!owner) return undefined;
    const adminIds = this.members.filter((member) => member.role === 'admin' && member !== owner).map((member) => member.userId);
    return { ownerId: owner.userId, adminIds };
  }

  /** What a summary and a membership record both say: which conversation, its title, members and roles. */
  private get shape() {
    const { conversation } = this;
    return {
      conversationId: conversation.id,
      kind: conversation.kind,
      ...(conversation.title === null ? {} : { title: conversation.title }),
      memberIds: this.memberIds,
      ...this.roles,
    };
  }

  /** The summary as `reader` sees it: their unread count is what lies after their read receipt. */
  summaryFor(reader: string): ConversationSummary {
    const { conversation } = this;
    const readSeq = this.member(reader)?.readSeq ?? conversation.lastSeq;
    return {
      ...this.shape,
      lastSeq: conversation.lastSeq,
      unread: Math.max(0, conversation.lastSeq - readSeq),
    };
  }

  /** The `conversation` frame answering `requestId`. */
  frameFor(reader: string, requestId: string): ServerFrameOf<'conversation'> {
    return { type: 'conversation', replyTo: requestId, ...this.summaryFor(reader) };
  }

  /** The `chat.membership-changed` payload of `change`: this state (after it) with what it did. */
  membershipChange({ added = [], removed = [], changed, by }: MembershipChange): MembershipPayload {
    return {
      ...this.shape,
      added,
      removed,
      ...(changed === undefined ? {} : { changed }),
      by,
    };
  }
}

/**
 * Loads a conversation for a change, locking its row until the batch commits. Every state change
 * takes this lock first, so changes to one conversation are serialised even when two instances
 * briefly hold its partition during a rebalance.
 */
export async function loadConversationForUpdate(manager: EntityManager, conversationId: string): Promise<ConversationState | null> {
  const conversation = await manager.findOne(ConversationEntity, { where: { id: conversationId }, lock: { mode: 'pessimistic_write' } });
  return conversation ? new ConversationState(conversation, await loadMembers(manager, conversationId)) : null;
}

/** A row of `loadConversationsForUpdate`: a locked conversation joined with one of its members. */
interface LockedMemberRow {
  id: string;
  kind: ConversationEntity['kind'];
  title: string | null;
  title_key_id: string | null;
  created_by: string;
  last_seq: string;
  created_at: Date;
  last_activity_at: Date;
  user_id: string;
  joined_at: Date;
  role: MemberRole;
  delivered_seq: string;
  read_seq: string;
}

/**
 * Loads several conversations with their members for a change in one statement, locking the
 * conversation rows (in id order, so two batches never wait on each other in a circle) until the
 * batch commits. Missing ones are absent; a conversation always has members (its creator at least).
 */
export async function loadConversationsForUpdate(manager: EntityManager, conversationIds: readonly string[]): Promise<Map<string, ConversationState>> {
  const states = new Map<string, ConversationState>();
  if (conversationIds.length === 0) return states;
  const rows = await manager.query<LockedMemberRow[]>(
    `SELECT c.id, c.kind, c.title, c.title_key_id, c.created_by, c.last_seq, c.created_at, c.last_activity_at,
            m.user_id, m.joined_at, m.role, m.delivered_seq, m.read_seq
       FROM conversations c JOIN members m ON m.conversation_id = c.id
      WHERE c.id = ANY($1::uuid[])
      ORDER BY c.id
        FOR UPDATE OF c`,
    [[...conversationIds]],
  );
  const conversations = new Map<string, { conversation: ConversationEntity; members: MemberEntity[] }>();
  for (const row of rows) {
    let entry = conversations.get(row.id);
    if (!entry) {
      const conversation = manager.create(ConversationEntity, {
        id: row.id,
        kind: row.kind,
        title: row.title,
        titleKeyId: row.title_key_id,
        createdBy: row.created_by,
        lastSeq: Number(row.last_seq),
        createdAt: row.created_at,
        lastActivityAt: row.last_activity_at,
      });
      entry = { conversation, members: [] };
      conversations.set(row.id, entry);
    }
    entry.members.push(
      manager.create(MemberEntity, {
        conversationId: row.id,
        userId: row.user_id,
        joinedAt: row.joined_at,
        role: row.role,
        deliveredSeq: Number(row.delivered_seq),
        readSeq: Number(row.read_seq),
      }),
    );
  }
  for (const [id, { conversation, members }] of conversations) states.set(id, new ConversationState(conversation, members));
  return states;
}

/** Loads a conversation for reading (history, sync): no lock. */
export async function loadConversation(manager: EntityManager, conversationId: string): Promise<ConversationState | null> {
  const conversation = await manager.findOneBy(ConversationEntity, { id: conversationId });
  return conversation ? new ConversationState(conversation, await loadMembers(manager, conversationId)) : null;
}

function loadMembers(manager: EntityManager, conversationId: string): Promise<MemberEntity[]> {
  return manager.find(MemberEntity, { where: { conversationId } });
}

/** Members who joined together (a new group) are ordered by id, so loaded and fresh states list them alike. */
function byJoinOrder(a: MemberEntity, b: MemberEntity): number {
  const byTime = a.joinedAt.getTime() - b.joinedAt.getTime();
  if (byTime !== 0) return byTime;
  return a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0;
}

/**
 * The conversation, if `userId` is one of its members. A conversation that does not exist gets the
 * same answer as one the user is not in, so nobody learns which conversations exist (direct
 * conversation ids can be derived from two user ids).
 */
export function requireMember(state: ConversationState | null, userId: string, conversationId: string): ConversationState {
  if (!state?.member(userId)) throw new CommandRejected('not_member', `you are not a member of conversation ${conversationId}`);
  return state;
}

/**
 * The group `userId` is a member of, locked for a change (its members, title or roles): not a member
 * is `not_member`, and a direct conversation never changes (`forbidden`).
 */
export async function loadGroupForChange(manager: EntityManager, conversationId: string, userId: string): Promise<ConversationState> {
  const state = requireMember(await loadConversationForUpdate(manager, conversationId), userId, conversationId);
  if (state.conversation.kind === 'direct') throw new CommandRejected('forbidden', 'a direct conversation cannot be changed: its members are fixed and it has no title or roles');
  return state;
}

/** How much a role may do: the owner everything an admin may, an admin everything a member may. */
export const ROLE_RANK: Readonly<Record<MemberRole, number>> = { member: 0, admin: 1, owner: 2 };

/** Who holds `minimum` or more, in words for an error message. */
const HOLDERS: Readonly<Record<Exclude<MemberRole, 'member'>, string>> = { admin: "the group's owner or admins", owner: "the group's owner" };

/** Refuses (`forbidden`, naming who may) unless `userId` holds `minimum` or a higher role in the group. */
export function requireRole(state: ConversationState, userId: string, minimum: Exclude<MemberRole, 'member'>, action: string): void {
  const role = state.roleOf(userId) ?? 'member';
  if (ROLE_RANK[role] < ROLE_RANK[minimum]) throw new CommandRejected('forbidden', `only ${HOLDERS[minimum]} may ${action}; you are ${role === 'admin' ? 'an admin' : 'a member'}`);
}

/** `memberId` must be in the group (`conflict` otherwise: the request does not fit its state). */
export function requireTargetMember(state: ConversationState, memberId: string): MemberEntity {
  const member = state.member(memberId);
  if (!member) throw new CommandRejected('conflict', `user ${memberId} is not a member of conversation ${state.id}`);
  return member;
}

/** Of `userIds`, those this service has not heard of from auth (chat.users). */
export async function unknownUsers(manager: EntityManager, userIds: readonly string[]): Promise<string[]> {
  if (userIds.length === 0) return [];
  const known = await manager.find(UserEntity, { select: { id: true }, where: { id: In([...userIds]) } });
  const knownIds = new Set(known.map((user) => user.id));
  return userIds.filter((id) => !knownIds.has(id));
}

/**
 * Adds members whose receipts start at the conversation's current end: what came before is history,
 * not unread. They join as members, except the one named `ownerId` (a new group's creator).
 */
export async function insertMembers(
  manager: EntityManager,
  conversation: ConversationEntity,
  userIds: readonly string[],
  joinedAt: Date,
  ownerId?: string,
): Promise<MemberEntity[]> {
  const members = userIds.map((userId) =>
    manager.create(MemberEntity, {
      conversationId: conversation.id,
      userId,
      joinedAt,
      role: userId === ownerId ? 'owner' : 'member',
      deliveredSeq: conversation.lastSeq,
      readSeq: conversation.lastSeq,
    }),
  );
  // Copies: TypeORM writes the raw returned defaults (bigint as string) back into inserted objects.
  await manager.insert(MemberEntity, members.map((member) => ({ ...member })));
  return members;
}

export async function insertConversation(manager: EntityManager, conversation: ConversationEntity): Promise<void> {
  await manager.insert(ConversationEntity, { ...conversation, ...storedTitle(conversation.id, conversation.title) });
}

/** A group title as it is written: sealed under the current data key (null stays null). */
export function storedTitle(conversationId: string, title: string | null): Pick<ConversationEntity, 'title' | 'titleKeyId'> {
  if (title === null) return { title: null, titleKeyId: null };
  const sealed = sealField('groupTitle', conversationId, title);
  return { title: sealed.value, titleKeyId: sealed.keyId };
}
