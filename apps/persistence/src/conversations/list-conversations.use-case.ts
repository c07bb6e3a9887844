import { Injectable } from '@nestjs/common';
import { In, type EntityManager } from 'typeorm';
import {
  CommandAnswers,
  MAX_LISTED_CONVERSATIONS,
  type ConversationSummary,
  type EnvelopeOf,
  type ListConversationsRequestCommand,
  type ServerFrameOf,
} from '@chat/protocol';
import { ConversationEntity } from '../database/entities/conversation.entity';
import { MemberEntity } from '../database/entities/member.entity';
import { answer, type Effect } from '../outcomes/effects';
import { fitListInRecord } from '../outcomes/record-budget';
import { ConversationState } from './conversation-state';

type ListConversations = EnvelopeOf<typeof ListConversationsRequestCommand>;

/**
 * The user's conversations, most recently active first: at most MAX_LISTED_CONVERSATIONS, and fewer
 * when their member lists would not fit one Kafka record (the protocol's `conversations` frame has no
 * paging, so the least recently active ones are left out).
 */
@Injectable()
export class ListConversationsUseCase {
  async execute(command: ListConversations, manager: EntityManager): Promise<Effect[]> {
    const { userId, replyTo } = command.payload;
    const conversations = await manager
      .createQueryBuilder(ConversationEntity, 'conversation')
      .innerJoin(MemberEntity, 'me', 'me.conversationId = conversation.id AND me.userId = :userId', { userId })
      .orderBy('conversation.lastActivityAt', 'DESC')
      .addOrderBy('conversation.id', 'ASC')
      .limit(MAX_LISTED_CONVERSATIONS)
      .getMany();
    const membersOf = new Map<string, MemberEntity[]>(conversations.map((conversation) => [conversation.id, []]));
    if (conversations.length > 0) {
      for (const member of await manager.find(MemberEntity, { where: { conversationId: In([...membersOf.keys()]) } })) {
        membersOf.get(member.conversationId)?.push(member);
      }
    }
    const items = conversations.map((conversation) => new ConversationState(conversation, membersOf.get(conversation.id) ?? []).summaryFor(userId));
    const frame = (list: ConversationSummary[]): ServerFrameOf<'conversations'> => ({ type: 'conversations', replyTo: replyTo.requestId, items: list });
    const fitted = fitListInRecord(items, 'first', (list) => CommandAnswers.create({ replyTo, frames: [frame(list)] }));
    return [answer(command, frame(fitted.items))];
  }
}
