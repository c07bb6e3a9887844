import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { EnvelopeOf, ReceiptCommand } from '@chat/protocol';
import { MemberEntity } from '../database/entities/member.entity';
import { CommandRejected } from '../outcomes/command-rejected';
import { type Effect, receiptStored } from '../outcomes/effects';
import { loadConversationForUpdate, requireMember } from '../conversations/conversation-state';

type Receipt = EnvelopeOf<typeof ReceiptCommand>;

/**
 * Moves a member's delivered or read position forward and tells every member. A receipt at or
 * below the stored position changes nothing and announces nothing; one beyond the newest message
 * is a client error. Reading implies delivery, so `read` also lifts `delivered` (silently).
 */
@Injectable()
export class ReceiptUseCase {
  async execute(command: Receipt, manager: EntityManager): Promise<Effect[]> {
    const { userId, conversationId, seq, status } = command.payload;
    const state = requireMember(await loadConversationForUpdate(manager, conversationId), userId, conversationId);
    const { lastSeq } = state.conversation;
    if (seq > lastSeq) throw new CommandRejected('conflict', `seq ${seq} is beyond the newest message (${lastSeq}) of conversation ${conversationId}`);
    const member = state.member(userId) as MemberEntity;
    const current = status === 'read' ? member.readSeq : member.deliveredSeq;
    if (seq <= current) return [];

    const change = status === 'read' ? { readSeq: seq, deliveredSeq: Math.max(member.deliveredSeq, seq) } : { deliveredSeq: seq };
    await manager.update(MemberEntity, { conversationId, userId }, change);
    return [receiptStored(command, { conversationId, userId, seq, status, at: Date.now(), recipientIds: state.memberIds })];
  }
}
