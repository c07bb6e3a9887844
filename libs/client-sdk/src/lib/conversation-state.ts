import type { ChatMessage, ConversationSummary, MemberRole, ServerFrameOf } from '@chat/wire';

/** The pushed frames that change what a client knows of a group's members, title and roles. */
export type GroupChangeFrame = ServerFrameOf<'member_added'> | ServerFrameOf<'member_removed'> | ServerFrameOf<'group_updated'>;

/** `userId`'s role in a group; undefined for a direct conversation and for someone not in it. */
export function roleOf(summary: ConversationSummary, userId: string): MemberRole | undefined {
  if (summary.kind !== 'group' || !summary.memberIds.includes(userId)) return undefined;
  if (summary.ownerId === userId) return 'owner';
  return summary.adminIds?.includes(userId) ? 'admin' : 'member';
}

/**
 * The summary after a pushed change: added users join as members, a removed user leaves (and is
 * no admin any more), `group_updated` brings the title and roles as they are now.
 */
export function applyGroupChange(summary: ConversationSummary, frame: GroupChangeFrame): ConversationSummary {
  switch (frame.type) {
    case 'member_added':
      return { ...summary, memberIds: [...summary.memberIds, ...frame.userIds.filter((id) => !summary.memberIds.includes(id))] };
    case 'member_removed': {
      const without = (ids: string[]) => ids.filter((id) => id !== frame.userId);
      return {
        ...summary,
        memberIds: without(summary.memberIds),
        ...(summary.adminIds === undefined ? {} : { adminIds: without(summary.adminIds) }),
        // The owner leaves only as the last member: then the group has nobody to own it.
        ...(summary.ownerId === frame.userId ? { ownerId: undefined } : {}),
      };
    }
    case 'group_updated':
      return { ...summary, title: frame.title, ownerId: frame.ownerId, adminIds: [...frame.adminIds] };
  }
}

export interface AcceptResult {
  /** Messages that became deliverable, in seq order: this one and any buffered ones it unblocked. */
  delivered: ChatMessage[];
  /** The seq was seen before (delivered or buffered): the app must not see it again. */
  duplicate: boolean;
}

/**
 * What one client knows about one conversation. `lastSeq` is the contiguous high-water mark: every
 * message up to it was delivered to the app, in order. A message beyond `lastSeq + 1` waits in a
 * buffer until the gap before it is filled (by a sync), so the app sees each seq exactly once and
 * in order whatever order the network brought them in.
 */
export class ConversationState {
  private contiguous: number;
  private readonly buffered = new Map<number, ChatMessage>();
  private readonly retained: ChatMessage[] = [];
  private serverLastSeq: number;

  constructor(
    readonly conversationId: string,
    private readonly retainMessages: boolean,
    startAfterSeq = 0,
  ) {
    this.contiguous = startAfterSeq;
    this.serverLastSeq = startAfterSeq;
  }

  get lastSeq(): number {
    return this.contiguous;
  }

  /** The newest seq the server has told us of (a message, list_conversations or synced); ≥ lastSeq. */
  get knownLastSeq(): number {
    return this.serverLastSeq;
  }

  /** Some messages arrived ahead of a gap, or the server knows newer ones than we delivered. */
  get behind(): boolean {
    return this.serverLastSeq > this.contiguous;
  }

  get bufferedCount(): number {
    return this.buffered.size;
  }

  /** Delivered messages in seq order (empty unless messages are retained). */
  messages(): readonly ChatMessage[] {
    return this.retained;
  }

  /** A delivered message by seq, if retained. */
  message(seq: number): ChatMessage | undefined {
    const first = this.retained[0];
    if (!first) return undefined;
    const candidate = this.retained[seq - first.seq];
    return candidate?.seq === seq ? candidate : undefined;
  }

  /** Takes in a message from any path (live, sync); see AcceptResult. */
  accept(message: ChatMessage): AcceptResult {
    this.noteServerSeq(message.seq);
    if (message.seq <= this.contiguous || this.buffered.has(message.seq)) return { delivered: [], duplicate: true };
    if (message.seq > this.contiguous + 1) {
      this.buffered.set(message.seq, message);
      return { delivered: [], duplicate: false };
    }
    const delivered = [message];
    this.advance(message);
    for (let next = this.buffered.get(this.contiguous + 1); next; next = this.buffered.get(this.contiguous + 1)) {
      this.buffered.delete(next.seq);
      delivered.push(next);
      this.advance(next);
    }
    return { delivered, duplicate: false };
  }

  /** The server says the conversation has reached `seq`. */
  noteServerSeq(seq: number): void {
    if (seq > this.serverLastSeq) this.serverLastSeq = seq;
  }

  /**
   * Starts delivery after `seq` without fetching what came before (for clients that only want new
   * messages). Buffered messages that are now contiguous are returned for delivery.
   */
  skipTo(seq: number): ChatMessage[] {
    if (seq <= this.contiguous) return [];
    this.contiguous = seq;
    this.noteServerSeq(seq);
    const delivered: ChatMessage[] = [];
    for (const bufferedSeq of [...this.buffered.keys()]) if (bufferedSeq <= seq) this.buffered.delete(bufferedSeq);
    for (let next = this.buffered.get(this.contiguous + 1); next; next = this.buffered.get(this.contiguous + 1)) {
      this.buffered.delete(next.seq);
      delivered.push(next);
      this.advance(next);
    }
    // Retained messages stay contiguous: what came before the skip is not ours to show.
    this.retained.length = 0;
    for (const message of delivered) if (this.retainMessages) this.retained.push(message);
    return delivered;
  }

  private advance(message: ChatMessage): void {
    this.contiguous = message.seq;
    if (this.retainMessages) this.retained.push(message);
  }
}
