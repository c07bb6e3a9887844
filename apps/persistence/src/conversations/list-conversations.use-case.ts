import { Injectable } from '@nestjs/common';
import { In, type EntityManager } from 'typeorm';
import {
  CommandAnswers,
  DEFAULT_LIST_CONVERSATIONS_LIMIT,
  type ConversationSummary,
  type EnvelopeOf,
  type ListConversationsRequestCommand,
  type ServerFrameOf,
} from '@chat/protocol';
import { ConversationEntity } from '../database/entities/conversation.entity';
import { MemberEntity } from '../database/entities/member.entity';
import { CommandRejected } from '../outcomes/command-rejected';
import { answer, type Effect } from '../outcomes/effects';
import { fitListInRecord } from '../outcomes/record-budget';
import { ConversationState } from './conversation-state';

type ListConversations = EnvelopeOf<typeof ListConversationsRequestCommand>;

/** The position of a page's last conversation: its last activity in microseconds (PostgreSQL's precision) and its id. */
interface PagePosition {
  activityMicros: string;
  conversationId: string;
}

const CURSOR_PATTERN = /^(\d{1,20})_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** `<microseconds>_<conversationId>`: only characters the protocol's cursor allows; opaque to clients. */
export function encodeListCursor(position: PagePosition): string {
  return `${position.activityMicros}_${position.conversationId}`;
}

export function decodeListCursor(cursor: string): PagePosition {
  const match = CURSOR_PATTERN.exec(cursor);
  if (!match) throw new CommandRejected('invalid_frame', 'cursor: not a cursor this server wrote; send back the nextCursor of the previous conversations page as is');
  return { activityMicros: match[1], conversationId: match[2] };
}

/** The microseconds of last activity, exactly as stored (a JavaScript Date would keep milliseconds only). */
const ACTIVITY_MICROS = `(floor(extract(epoch from conversation.last_activity_at) * 1000000))::bigint`;

/**
 * One page of the user's conversations, most recently active first (ties by id), after the cursor:
 * at most `limit` (DEFAULT_LIST_CONVERSATIONS_LIMIT when a gateway of before paging gave none), and
 * fewer when their member lists would not fit one Kafka record. `nextCursor` names the last one
 * listed whenever more may follow. Keyset paging, so a page costs the same however deep it is; a
 * conversation that becomes active while a client pages moves to the front and may be listed twice
 * or not at all by that walk (its new message reaches the client live anyway).
 */
@Injectable()
export class ListConversationsUseCase {
  async execute(command: ListConversations, manager: EntityManager): Promise<Effect[]> {
    const { userId, replyTo, limit = DEFAULT_LIST_CONVERSATIONS_LIMIT, cursor } = command.payload;
    const after = cursor === undefined ? undefined : decodeListCursor(cursor);
    const query = manager
      .createQueryBuilder(ConversationEntity, 'conversation')
      .addSelect(`${ACTIVITY_MICROS}::text`, 'activity_micros')
      .innerJoin(MemberEntity, 'me', 'me.conversationId = conversation.id AND me.userId = :userId', { userId });
    if (after) {
      query.where(`(${ACTIVITY_MICROS} < :micros::bigint OR (${ACTIVITY_MICROS} = :micros::bigint AND conversation.id > :afterId))`, {
        micros: after.activityMicros,
        afterId: after.conversationId,
      });
    }
    // One more than the page: whether another page follows, without a second query.
    const { entities, raw } = await query
      .orderBy('conversation.lastActivityAt', 'DESC')
      .addOrderBy('conversation.id', 'ASC')
      .limit(limit + 1)
      .getRawAndEntities<{ activity_micros: string }>();
    const conversations = entities.slice(0, limit);
    const membersOf = new Map<string, MemberEntity[]>(conversations.map((conversation) => [conversation.id, []]));
    if (conversations.length > 0) {
      for (const member of await manager.find(MemberEntity, { where: { conversationId: In([...membersOf.keys()]) } })) {
        membersOf.get(member.conversationId)?.push(member);
      }
    }
    const items = conversations.map((conversation) => new ConversationState(conversation, membersOf.get(conversation.id) ?? []).summaryFor(userId));
    const frame = (list: ConversationSummary[], nextCursor?: string): ServerFrameOf<'conversations'> => ({
      type: 'conversations',
      replyTo: replyTo.requestId,
      items: list,
      ...(nextCursor === undefined ? {} : { nextCursor }),
    });
    const longestCursor = encodeListCursor({ activityMicros: '9'.repeat(20), conversationId: userId });
    const fitted = fitListInRecord(items, 'first', (list) => CommandAnswers.create({ replyTo, frames: [frame(list, longestCursor)] }));
    const listed = fitted.items.length;
    const more = entities.length > limit || fitted.trimmed;
    // getRawAndEntities gives the raw rows in the entities' order (one row per conversation: the join matches one member).
    const next = more && listed > 0 ? encodeListCursor({ activityMicros: raw[listed - 1].activity_micros, conversationId: conversations[listed - 1].id }) : undefined;
    return [answer(command, frame(fitted.items, next))];
  }
}
