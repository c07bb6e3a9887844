import { Injectable } from '@nestjs/common';
import { LessThan, type EntityManager } from 'typeorm';
import { CommandAnswers, type ChatMessage, type EnvelopeOf, type HistoryRequestCommand, type ServerFrameOf } from '@chat/protocol';
import { MessageEntity } from '../database/entities/message.entity';
import { answer, type Effect } from '../outcomes/effects';
import { fitListInRecord } from '../outcomes/record-budget';
import { loadConversation, requireMember } from '../conversations/conversation-state';
import { toChatMessage } from './chat-message';

type HistoryRequest = EnvelopeOf<typeof HistoryRequestCommand>;

/**
 * One page of a conversation's messages before `beforeSeq` (or the newest), ascending. A page of
 * long messages that would not fit one Kafka record keeps its newest messages and reports
 * `hasMore`, so paging back with the smallest seq received still sees everything.
 */
@Injectable()
export class HistoryUseCase {
  async execute(command: HistoryRequest, manager: EntityManager): Promise<Effect[]> {
    const { userId, conversationId, beforeSeq, limit } = command.payload;
    requireMember(await loadConversation(manager, conversationId), userId, conversationId);
    const newestFirst = await manager.find(MessageEntity, {
      where: beforeSeq === undefined ? { conversationId } : { conversationId, seq: LessThan(beforeSeq) },
      order: { seq: 'DESC' },
      take: limit + 1,
    });
    const page = newestFirst.slice(0, limit).reverse().map(toChatMessage);
    const frame = (messages: ChatMessage[], hasMore: boolean): ServerFrameOf<'history_page'> => ({
      type: 'history_page',
      replyTo: command.payload.replyTo.requestId,
      conversationId,
      messages,
      hasMore,
    });
    const fitted = fitListInRecord(page, 'last', (messages) => CommandAnswers.create({ replyTo: command.payload.replyTo, frames: [frame(messages, true)] }));
    return [answer(command, frame(fitted.items, newestFirst.length > limit || fitted.trimmed))];
  }
}
