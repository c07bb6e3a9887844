import type { ChatMessage } from '@chat/protocol';
import type { MessageEntity } from '../database/entities/message.entity';
import { openField } from '../database/stored-content';

/** A stored message as every reader sees it (events, `message` frames, history pages), its body decrypted. */
export function toChatMessage(row: MessageEntity): ChatMessage {
  return {
    conversationId: row.conversationId,
    seq: row.seq,
    messageId: row.id,
    senderId: row.senderId,
    clientMsgId: row.clientMsgId,
    body: openField('messageBody', row.id, row.body, row.bodyKeyId),
    kind: row.kind,
    sentAt: row.sentAt.getTime(),
    storedAt: row.storedAt.getTime(),
  };
}
