import type { ChatMessage, MessageKind } from '@chat/wire';
import { Deferred } from './deferred';
import { RequestTimeoutError } from './errors';

/** A send the server accepted: durable in Kafka. `seq` only when the server already knew it (a resend). */
export interface SendResult {
  conversationId: string;
  clientMsgId: string;
  seq?: number;
}

/**
 * One message on its way: from `send` until its stored `message` (with the seq) comes back. It
 * survives reconnects: whatever was not yet stored is sent again, with the same clientMsgId, on the
 * next connection, and the server deduplicates.
 */
export class OutboxEntry {
  /** Request id of the copy currently on the wire, if any. */
  inFlight: string | undefined;
  /** How often it went on the wire; more than once means resent (after a reconnect or a retryable error). */
  transmissions = 0;
  /** Request ids of every copy sent: an `error` can follow `accepted` (e.g. not_member from persistence). */
  readonly requestIds = new Set<string>();
  retryTimer: ReturnType<typeof setTimeout> | undefined;
  accepted: SendResult | undefined;
  readonly acceptance = new Deferred<SendResult>();
  readonly stored = new Deferred<ChatMessage>();
  expiry: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly conversationId: string,
    readonly clientMsgId: string,
    readonly body: string,
    readonly kind: MessageKind,
  ) {}

  get key(): string {
    return outboxKey(this.conversationId, this.clientMsgId);
  }
}

export function outboxKey(conversationId: string, clientMsgId: string): string {
  return `${conversationId}/${clientMsgId}`;
}

/** Messages not yet known stored, in the order they were sent. */
export class Outbox {
  private readonly entries = new Map<string, OutboxEntry>();
  private readonly byRequestId = new Map<string, OutboxEntry>();

  constructor(private readonly storedTimeoutMs: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** The entry for this clientMsgId: a send repeated while the first is still on its way joins it. */
  add(conversationId: string, clientMsgId: string, body: string, kind: MessageKind): OutboxEntry {
    const existing = this.entries.get(outboxKey(conversationId, clientMsgId));
    if (existing) return existing;
    const entry = new OutboxEntry(conversationId, clientMsgId, body, kind);
    this.entries.set(entry.key, entry);
    return entry;
  }

  get(conversationId: string, clientMsgId: string): OutboxEntry | undefined {
    return this.entries.get(outboxKey(conversationId, clientMsgId));
  }

  /** Records that a copy of `entry` went out as request `requestId`. */
  sent(entry: OutboxEntry, requestId: string): void {
    entry.inFlight = requestId;
    entry.transmissions++;
    entry.requestIds.add(requestId);
    this.byRequestId.set(requestId, entry);
  }

  /** The entry one of whose copies was request `requestId`. */
  forRequest(requestId: string): OutboxEntry | undefined {
    return this.byRequestId.get(requestId);
  }

  /** Entries to put on the wire after (re)connecting: everything not stored and not already in flight. */
  toTransmit(): OutboxEntry[] {
    return [...this.entries.values()].filter((entry) => entry.inFlight === undefined);
  }

  markAccepted(entry: OutboxEntry, result: SendResult): void {
    entry.inFlight = undefined;
    // The stored message can overtake the acceptance; the entry is complete then.
    if (this.entries.get(entry.key) !== entry) return;
    entry.accepted = { ...result, seq: result.seq ?? entry.accepted?.seq };
    entry.acceptance.resolve(entry.accepted);
    // Bound the memory of sends whose stored message never shows (e.g. the app never waits for it).
    if (entry.expiry === undefined) {
      entry.expiry = setTimeout(() => this.fail(entry, new RequestTimeoutError('send (stored)', this.storedTimeoutMs)), this.storedTimeoutMs);
    }
  }

  /** The stored message came back: the send is complete. */
  markStored(entry: OutboxEntry, message: ChatMessage): void {
    const result: SendResult = { conversationId: entry.conversationId, clientMsgId: entry.clientMsgId, seq: message.seq };
    entry.accepted ??= result;
    entry.acceptance.resolve(result);
    entry.stored.resolve(message);
    this.remove(entry);
  }

  fail(entry: OutboxEntry, error: Error): void {
    entry.acceptance.reject(error);
    entry.stored.reject(error);
    this.remove(entry);
  }

  failAll(error: Error): void {
    for (const entry of [...this.entries.values()]) this.fail(entry, error);
  }

  /** Copies on the wire are void once their connection is gone. */
  forgetInFlight(): void {
    for (const entry of this.entries.values()) entry.inFlight = undefined;
  }

  private remove(entry: OutboxEntry): void {
    if (entry.expiry !== undefined) clearTimeout(entry.expiry);
    if (entry.retryTimer !== undefined) clearTimeout(entry.retryTimer);
    for (const id of entry.requestIds) this.byRequestId.delete(id);
    if (this.entries.get(entry.key) === entry) this.entries.delete(entry.key);
  }
}
