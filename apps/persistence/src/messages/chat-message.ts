import type { ChatMessage } from '@chat/protocol';
import type { MessageEntity } from '../database/entities/message.entity';

/** A stored message as every reader sees it (events, `message` frames, history pages). */
export function toChatMessage(row: MessageEntity): ChatMessage {
  return {
    conversationId: row.conversationId,
    seq: row.seq,
    messageId: row.id,
    senderId: row.senderId,
    clientMsgId: row.clientMsgId,
    body: row.body,
    kind: row.kind,
    sentAt: row.sentAt.getTime(),
    storedAt: row.storedAt.getTime(),
  };
}
