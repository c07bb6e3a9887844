import {
  AddMembersCommand,
  AnnounceCommand,
  chatCommandKey,
  chatQueryKey,
  CreateGroupCommand,
  HistoryRequestCommand,
  ListConversationsRequestCommand,
  OpenDirectCommand,
  ProtocolError,
  ReceiptCommand,
  RemoveMemberCommand,
  RenameGroupCommand,
  SendMessageCommand,
  SetMemberRoleCommand,
  SyncRequestCommand,
  TransferOwnershipCommand,
  Topics,
  TypingChanged,
  type ChatCommandEnvelope,
  type ChatQueryEnvelope,
  type ClientFrame,
  type Envelope,
} from '@chat/protocol';

/** Every client frame but `ping` becomes one Kafka record. */
export type RecordFrame = Exclude<ClientFrame, { type: 'ping' }>;

/** Who sent a frame and when: the user comes from the socket's verified token, never from the frame. */
export interface FrameOrigin {
  userId: string;
  gatewayId: string;
  connectionId: string;
  traceId: string;
  /** When the gateway read the frame: the envelope's occurredAt, and a message's sentAt. */
  receivedAt: number;
}

export interface FrameRecord {
  topic: string;
  key: string;
  envelope: Envelope;
}

/**
 * The record a client frame turns into: a command on `chat.commands` (a read on `chat.queries`) for persistence (answers come
 * back through this gateway's delivery topic, addressed by `replyTo`), or for `typing` an event on
 * `chat.typing` for the router. Membership is not checked here; persistence and the router own it.
 */
export function recordForFrame(frame: RecordFrame, origin: FrameOrigin): FrameRecord {
  const context = { traceId: origin.traceId, occurredAt: origin.receivedAt };
  const replyTo = { gatewayId: origin.gatewayId, connectionId: origin.connectionId, requestId: frame.id };
  const userId = origin.userId;
  switch (frame.type) {
    case 'send': {
      const { conversationId, clientMsgId, body, kind } = frame;
      // The frame was validated on arrival and the rest is ours: the busiest record is not checked twice.
      return command(SendMessageCommand.createValidated({ senderId: userId, conversationId, clientMsgId, body, kind, replyTo }, context));
    }
    case 'receipt': {
      const { conversationId, seq, status } = frame;
      return command(ReceiptCommand.create({ userId, conversationId, seq, status, replyTo }, context));
    }
    case 'create_group':
      return command(CreateGroupCommand.create({ userId, title: frame.title, memberIds: frame.memberIds, clientGroupId: frame.clientGroupId, replyTo }, context));
    case 'open_direct':
      if (frame.userId === userId) {
        throw new ProtocolError('invalid_field', 'userId: cannot open a direct conversation with yourself', 'userId', frame.id);
      }
      return command(OpenDirectCommand.create({ userId, peerId: frame.userId, replyTo }, context));
    case 'add_members':
      return command(AddMembersCommand.create({ userId, conversationId: frame.conversationId, memberIds: frame.userIds, replyTo }, context));
    case 'remove_member':
      return command(RemoveMemberCommand.create({ userId, conversationId: frame.conversationId, memberId: frame.userId, replyTo }, context));
    case 'rename_group':
      return command(RenameGroupCommand.create({ userId, conversationId: frame.conversationId, title: frame.title, replyTo }, context));
    case 'set_member_role':
      return command(SetMemberRoleCommand.create({ userId, conversationId: frame.conversationId, memberId: frame.userId, role: frame.role, replyTo }, context));
    case 'transfer_ownership':
      return command(TransferOwnershipCommand.create({ userId, conversationId: frame.conversationId, memberId: frame.userId, replyTo }, context));
    case 'sync':
      return query(SyncRequestCommand.create({ userId, conversations: frame.conversations, replyTo }, context));
    case 'history': {
      const { conversationId, beforeSeq, limit } = frame;
      return query(HistoryRequestCommand.create({ userId, conversationId, ...(beforeSeq === undefined ? {} : { beforeSeq }), limit, replyTo }, context));
    }
    case 'list_conversations': {
      const { limit, cursor } = frame;
      return query(ListConversationsRequestCommand.create({ userId, limit, ...(cursor === undefined ? {} : { cursor }), replyTo }, context));
    }
    case 'announce': {
      // Only administrators get here (HandleClientFrame answers anyone else with `forbidden`).
      const { body, expiresInSeconds, clientAnnouncementId } = frame;
      return command(AnnounceCommand.create({ senderId: userId, body, expiresInSeconds, clientAnnouncementId, replyTo }, context));
    }
    case 'typing': {
      const envelope = TypingChanged.create({ conversationId: frame.conversationId, userId, active: frame.active }, context);
      return { topic: Topics.typing.name, key: frame.conversationId, envelope };
    }
  }
}

function command(envelope: ChatCommandEnvelope): FrameRecord {
  return { topic: Topics.commands.name, key: chatCommandKey(envelope), envelope };
}

/** Reads go to `chat.queries`, never queued with a conversation's sends on `chat.commands`. */
function query(envelope: ChatQueryEnvelope): FrameRecord {
  return { topic: Topics.queries.name, key: chatQueryKey(envelope), envelope };
}
