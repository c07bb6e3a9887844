import type { ChatMessage, ConversationSummary } from '@chat/wire';

/*
 * The pure rules of the web client's view of a conversation: which messages it holds, what the
 * reader has not read, how far each other member got, who is typing. The store (chat-store.ts) feeds
 * them with the SDK's events; these functions only compute.
 */

/** How far one member has received and read a conversation (a receipt covers every earlier seq). */
export interface ReceiptPosition {
  delivered: number;
  read: number;
}

/** What the sender sees under a message of their own. */
export type DeliveryStatus = 'sending' | 'failed' | 'sent' | 'delivered' | 'read';

/**
 * `messages` plus `incoming`, in ascending seq with each seq once: live messages, sync and history
 * pages overlap, and a seq identifies a message within its conversation.
 */
export function mergeMessages(messages: readonly ChatMessage[], incoming: readonly ChatMessage[]): ChatMessage[] {
  if (incoming.length === 0) return [...messages];
  const bySeq = new Map<number, ChatMessage>();
  for (const message of messages) bySeq.set(message.seq, message);
  for (const message of incoming) if (!bySeq.has(message.seq)) bySeq.set(message.seq, message);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/** A receipt moves a member's positions forward only; `read` implies `delivered`. */
export function applyReceipt(position: ReceiptPosition | undefined, status: 'delivered' | 'read', seq: number): ReceiptPosition {
  const current = position ?? { delivered: 0, read: 0 };
  const read = status === 'read' ? Math.max(current.read, seq) : current.read;
  return { delivered: Math.max(current.delivered, seq, read), read };
}

/**
 * The status of `seq`, sent by `me`, from the other members' receipts: `read` once every other member
 * read it, `delivered` once it reached a device of each, `sent` (stored) before that.
 */
export function deliveryStatus(seq: number, me: string, memberIds: readonly string[], receipts: ReadonlyMap<string, ReceiptPosition>): DeliveryStatus {
  const others = memberIds.filter((id) => id !== me);
  if (others.length === 0) return 'sent';
  if (others.every((id) => (receipts.get(id)?.read ?? 0) >= seq)) return 'read';
  if (others.every((id) => (receipts.get(id)?.delivered ?? 0) >= seq)) return 'delivered';
  return 'sent';
}

/** Messages after the reader's own read position (never negative). */
export function unreadCount(lastSeq: number, readSeq: number): number {
  return Math.max(0, lastSeq - readSeq);
}

/** Who is typing now: entries whose expiry is still ahead, the reader excluded. */
export function typingNow(typing: ReadonlyMap<string, number>, me: string, now: number): string[] {
  return [...typing.entries()].filter(([userId, expiresAt]) => userId !== me && expiresAt > now).map(([userId]) => userId);
}

/** "alice is typing…", "alice and bob are typing…", "3 people are typing…". */
export function typingText(names: readonly string[]): string {
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return `${names.length} people are typing…`;
}

/** The name a conversation is shown under: a group's title, or the other member's name in a direct one. */
export function conversationTitle(summary: ConversationSummary, me: string, nameOf: (userId: string) => string): string {
  if (summary.kind === 'group') return summary.title ?? 'Group';
  const other = summary.memberIds.find((id) => id !== me) ?? me;
  return nameOf(other);
}

/** Usernames from a comma- or space-separated list, each once (case-insensitively), in the order given. */
export function parseUsernames(text: string): string[] {
  const seen = new Set<string>();
  const names: string[] = [];
  for (const name of text.split(/[\s,]+/)) {
    if (name === '' || seen.has(name.toLowerCase())) continue;
    seen.add(name.toLowerCase());
    names.push(name);
  }
  return names;
}
