import { Injectable } from '@nestjs/common';
import { In, type EntityManager } from 'typeorm';
import type { ChatMessage, EnvelopeOf, ServerFrame, SyncRequestCommand } from '@chat/protocol';
import { ConversationEntity } from '../database/entities/conversation.entity';
import { MemberEntity } from '../database/entities/member.entity';
import type { MessageEntity } from '../database/entities/message.entity';
import { CommandRejected, listIds } from '../outcomes/command-rejected';
import { answers, type Effect } from '../outcomes/effects';
import { toChatMessage } from './chat-message';

type SyncRequest = EnvelopeOf<typeof SyncRequestCommand>;

/** Messages one sync sends per conversation; the client syncs again when `synced.lastSeq` is beyond what it got. */
export const SYNC_MESSAGES_PER_CONVERSATION = 500;
/** Messages one sync sends in all. */
export const SYNC_MESSAGES_PER_REQUEST = 2000;
/**
 * Roughly the bytes of `message` frames one sync sends (more only when its first message alone is
 * larger): well below the gateway's default send backlog (WS_MAX_BUFFERED_BYTES, 4 MiB), so a client
 * on a slow link catching up on long messages is not dropped as a slow consumer. It syncs again.
 */
export const SYNC_BYTES_PER_REQUEST = 1024 * 1024;
/** What a `message` frame adds to its body's bytes (ids, seq, times, keys), for the estimate above. */
const MESSAGE_FRAME_OVERHEAD_BYTES = 400;

interface MessageRow {
  conversationId: string;
  seq: string;
  id: string;
  senderId: string;
  clientMsgId: string;
  body: string;
  bodyKeyId: string | null;
  kind: MessageEntity['kind'];
  sentAt: Date;
  storedAt: Date;
  /** The frame's estimated bytes (the stored body's plus MESSAGE_FRAME_OVERHEAD_BYTES), as the page's budget counted it. */
  frameBytes: string;
}

/** Messages one page of a sync reads and publishes before it reads the next: what the service holds in memory for one sync. */
export const SYNC_PAGE_MESSAGES = 200;
/** Roughly the bytes of one page's `message` frames (more only when its first message alone is larger). */
export const SYNC_PAGE_BYTES = 256 * 1024;

/** Where a sync stands in one conversation. */
interface SyncCursor {
  conversationId: string;
  afterSeq: number;
  /** Messages it may still send of this conversation (SYNC_MESSAGES_PER_CONVERSATION in all). */
  remaining: number;
}

/** Publishes one page of answers before the next page is read. */
export type EmitAnswers = (effects: Effect[]) => Promise<void>;

/**
 * Catch-up after a (re)connect: for each named conversation the messages after the client's cursor,
 * as `message` frames, then one `synced` with every conversation's newest seq. Read and published
 * page by page (SYNC_PAGE_MESSAGES, SYNC_PAGE_BYTES; each page packed into as few records as fit),
 * so a sync over many conversations or a long backlog never sits in memory whole, and the client
 * gets its first messages while the rest is read. The pages of one sync are published one after the
 * other under the command's key, so they arrive in this order. Naming a conversation the user is
 * not a member of rejects the whole sync, before anything is sent.
 */
@Injectable()
export class SyncUseCase {
  /** All of a sync's answers at once: for a sync applied inside a command batch (see CommandDispatcher). */
  async execute(command: SyncRequest, manager: EntityManager): Promise<Effect[]> {
    const effects: Effect[] = [];
    await this.stream(command, manager, async (page) => {
      effects.push(...page);
    });
    return effects;
  }

  /** Reads the sync page by page, handing each page's records to `emit` (awaited) before reading the next. */
  async stream(command: SyncRequest, manager: EntityManager, emit: EmitAnswers): Promise<void> {
    const { userId, conversations: requested, replyTo } = command.payload;
    const ids = requested.map((cursor) => cursor.conversationId);
    const memberships = await manager.find(MemberEntity, { select: { conversationId: true }, where: { userId, conversationId: In(ids) } });
    const memberOf = new Set(memberships.map((membership) => membership.conversationId));
    const foreign = ids.filter((id) => !memberOf.has(id));
    if (foreign.length > 0) throw new CommandRejected('not_member', `you are not a member of conversation ${listIds(foreign)}`);

    let open: SyncCursor[] = requested.map(({ conversationId, afterSeq }) => ({ conversationId, afterSeq, remaining: SYNC_MESSAGES_PER_CONVERSATION }));
    let messagesLeft = SYNC_MESSAGES_PER_REQUEST;
    let bytesLeft = SYNC_BYTES_PER_REQUEST;
    while (open.length > 0 && messagesLeft > 0 && bytesLeft > 0) {
      const rows = await this.messagesAfter(manager, open, Math.min(SYNC_PAGE_MESSAGES, messagesLeft), Math.min(SYNC_PAGE_BYTES, bytesLeft));
      if (rows.length === 0) break;
      const messages = rows.map((row) => toChatMessage({ ...row, seq: Number(row.seq) }));
      await emit(answers(command, messages.map((message): ServerFrame => ({ type: 'message', ...message }))));
      messagesLeft -= messages.length;
      // As the query judged them (stored sizes), so the pages add up to the sync's budget.
      for (const row of rows) bytesLeft -= Number(row.frameBytes);
      open = stillOpen(open, messages);
    }
    // Read after the messages: each statement sees what has committed by then, so lastSeq is never
    // below a message just sent (it may be above, which only makes the client ask again).
    const conversations = await manager.find(ConversationEntity, { select: { id: true, lastSeq: true }, where: { id: In(ids) } });
    const lastSeqOf = new Map(conversations.map((conversation) => [conversation.id, conversation.lastSeq]));
    const synced: ServerFrame = {
      type: 'synced',
      replyTo: replyTo.requestId,
      conversations: ids.map((conversationId) => ({ conversationId, lastSeq: lastSeqOf.get(conversationId) ?? 0 })),
    };
    await emit(answers(command, [synced]));
  }

  /**
   * One page in one query: per conversation (in request order) the first messages after its cursor,
   * capped per conversation (what it may still send), in all, and by size. The size is judged on the bodies' lengths (which PostgreSQL
   * knows without reading them), and only the bodies that are sent are read.
   */
  private messagesAfter(manager: EntityManager, cursors: readonly SyncCursor[], pageMessages: number, pageBytes: number): Promise<MessageRow[]> {
    return manager.query<MessageRow[]>(
      `WITH candidates AS (
         SELECT m.conversation_id, m.seq, cursor.position, octet_length(m.body) + $5 AS frame_bytes
           FROM unnest($1::uuid[], $2::bigint[], $3::int[]) WITH ORDINALITY AS cursor (conversation_id, after_seq, take, position)
           CROSS JOIN LATERAL (
             SELECT conversation_id, seq, body FROM messages
              WHERE messages.conversation_id = cursor.conversation_id AND messages.seq > cursor.after_seq
              ORDER BY messages.seq
              LIMIT cursor.take
           ) m
          ORDER BY cursor.position, m.seq
          LIMIT $4
       ), sized AS (
         SELECT conversation_id, seq, position, frame_bytes, row_number() OVER running AS n, sum(frame_bytes) OVER running AS bytes_so_far
           FROM candidates
         WINDOW running AS (ORDER BY position, seq)
       )
       SELECT m.conversation_id AS "conversationId", m.seq, sized.frame_bytes AS "frameBytes", m.id, m.sender_id AS "senderId", m.client_msg_id AS "clientMsgId",
              m.body, m.body_key_id AS "bodyKeyId", m.kind, m.sent_at AS "sentAt", m.stored_at AS "storedAt"
         FROM sized
         JOIN messages m ON m.conversation_id = sized.conversation_id AND m.seq = sized.seq
        WHERE sized.n = 1 OR sized.bytes_so_far <= $6
        ORDER BY sized.position, sized.seq`,
      [
        cursors.map((cursor) => cursor.conversationId),
        cursors.map((cursor) => cursor.afterSeq),
        cursors.map((cursor) => cursor.remaining),
        pageMessages,
        MESSAGE_FRAME_OVERHEAD_BYTES,
        pageBytes,
      ],
    );
  }
}

/**
 * The conversations a sync still has to read after a page. A page lists conversations in request
 * order, each up to what it may send, so every conversation before the page's last one got all it
 * will get (it had no more, or reached its cap); the last one may continue; those after it were not
 * reached yet.
 */
function stillOpen(open: readonly SyncCursor[], page: readonly ChatMessage[]): SyncCursor[] {
  const last = page[page.length - 1];
  const lastIndex = open.findIndex((cursor) => cursor.conversationId === last.conversationId);
  const got = new Map<string, { count: number; lastSeq: number }>();
  for (const message of page) {
    const seen = got.get(message.conversationId) ?? { count: 0, lastSeq: 0 };
    got.set(message.conversationId, { count: seen.count + 1, lastSeq: message.seq });
  }
  const next: SyncCursor[] = [];
  open.forEach((cursor, index) => {
    if (index < lastIndex) return;
    const seen = got.get(cursor.conversationId);
    const advanced = seen ? { ...cursor, afterSeq: seen.lastSeq, remaining: cursor.remaining - seen.count } : cursor;
    if (advanced.remaining > 0) next.push(advanced);
  });
  return next;
}
