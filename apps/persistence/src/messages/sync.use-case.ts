import { Injectable } from '@nestjs/common';
import { In, type EntityManager } from 'typeorm';
import type { EnvelopeOf, ServerFrame, SyncRequestCommand } from '@chat/protocol';
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
}

/**
 * Catch-up after a (re)connect: for each named conversation the messages after the client's cursor,
 * as `message` frames, then one `synced` with every conversation's newest seq, all packed into as
 * few records as fit. All answers share the command's key, so they arrive in this order. Naming a
 * conversation the user is not a member of rejects the whole sync.
 */
@Injectable()
export class SyncUseCase {
  async execute(command: SyncRequest, manager: EntityManager): Promise<Effect[]> {
    const { userId, conversations: cursors, replyTo } = command.payload;
    const ids = cursors.map((cursor) => cursor.conversationId);
    const memberships = await manager.find(MemberEntity, { select: { conversationId: true }, where: { userId, conversationId: In(ids) } });
    const memberOf = new Set(memberships.map((membership) => membership.conversationId));
    const foreign = ids.filter((id) => !memberOf.has(id));
    if (foreign.length > 0) throw new CommandRejected('not_member', `you are not a member of conversation ${listIds(foreign)}`);

    const rows = await this.messagesAfter(manager, cursors);
    // Read after the messages: each statement sees what has committed by then, so lastSeq is never
    // below a message just sent (it may be above, which only makes the client ask again).
    const conversations = await manager.find(ConversationEntity, { select: { id: true, lastSeq: true }, where: { id: In(ids) } });
    const lastSeqOf = new Map(conversations.map((conversation) => [conversation.id, conversation.lastSeq]));
    const messages: ServerFrame[] = rows.map((row) => ({ type: 'message', ...toChatMessage({ ...row, seq: Number(row.seq) }) }));
    const synced: ServerFrame = {
      type: 'synced',
      replyTo: replyTo.requestId,
      conversations: ids.map((conversationId) => ({ conversationId, lastSeq: lastSeqOf.get(conversationId) ?? 0 })),
    };
    return answers(command, [...messages, synced]);
  }

  /**
   * One query: per conversation (in request order) the first messages after its cursor, capped per
   * conversation, in all, and by size. The size is judged on the bodies' lengths (which PostgreSQL
   * knows without reading them), and only the bodies that are sent are read.
   */
  private messagesAfter(manager: EntityManager, cursors: SyncRequest['payload']['conversations']): Promise<MessageRow[]> {
    return manager.query<MessageRow[]>(
      `WITH candidates AS (
         SELECT m.conversation_id, m.seq, cursor.position, octet_length(m.body) + $5 AS frame_bytes
           FROM unnest($1::uuid[], $2::bigint[]) WITH ORDINALITY AS cursor (conversation_id, after_seq, position)
           CROSS JOIN LATERAL (
             SELECT conversation_id, seq, body FROM messages
              WHERE messages.conversation_id = cursor.conversation_id AND messages.seq > cursor.after_seq
              ORDER BY messages.seq
              LIMIT $3
           ) m
          ORDER BY cursor.position, m.seq
          LIMIT $4
       ), sized AS (
         SELECT conversation_id, seq, position, row_number() OVER running AS n, sum(frame_bytes) OVER running AS bytes_so_far
           FROM candidates
         WINDOW running AS (ORDER BY position, seq)
       )
       SELECT m.conversation_id AS "conversationId", m.seq, m.id, m.sender_id AS "senderId", m.client_msg_id AS "clientMsgId",
              m.body, m.body_key_id AS "bodyKeyId", m.kind, m.sent_at AS "sentAt", m.stored_at AS "storedAt"
         FROM sized
         JOIN messages m ON m.conversation_id = sized.conversation_id AND m.seq = sized.seq
        WHERE sized.n = 1 OR sized.bytes_so_far <= $6
        ORDER BY sized.position, sized.seq`,
      [
        cursors.map((cursor) => cursor.conversationId),
        cursors.map((cursor) => cursor.afterSeq),
        SYNC_MESSAGES_PER_CONVERSATION,
        SYNC_MESSAGES_PER_REQUEST,
        MESSAGE_FRAME_OVERHEAD_BYTES,
        SYNC_BYTES_PER_REQUEST,
      ],
    );
  }
}
