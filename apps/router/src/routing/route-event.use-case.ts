import { Injectable, Logger } from '@nestjs/common';
import type { ChatEventEnvelope } from '@chat/protocol';
import { answersToConnection, fanOut, toConnection, type RoutedDelivery } from '../delivery/fan-out';
import { MembershipView } from '../views/membership-view';
import { PresenceView } from '../views/presence-view';

/**
 * Who receives an event of `chat.events`, as deliveries per gateway. Stored facts (messages,
 * receipts) name their recipients, fixed when persistence committed them; typing is checked against
 * the membership view; a command's answer goes back to the one socket that asked.
 */
@Injectable()
export class RouteEventUseCase {
  private readonly logger = new Logger(RouteEventUseCase.name);

  constructor(
    private readonly presence: PresenceView,
    private readonly memberships: MembershipView,
  ) {}

  execute(event: ChatEventEnvelope, now: number): RoutedDelivery[] {
    const context = { traceId: event.traceId, occurredAt: event.occurredAt };
    const locate = (userId: string) => this.presence.gatewaysOf(userId, now);
    switch (event.type) {
      case 'chat.message-stored':
        // The sender is among the recipients: their other devices show the message too.
        return fanOut({ type: 'message', ...event.payload.message }, event.payload.recipientIds, locate, context);
      case 'chat.receipt-stored': {
        const { recipientIds, ...receipt } = event.payload;
        return fanOut({ type: 'receipt', ...receipt }, recipientIds, locate, context);
      }
      case 'chat.typing-changed': {
        const { conversationId, userId, active } = event.payload;
        const conversation = this.memberships.get(conversationId);
        if (!conversation || !this.memberships.isMember(conversationId, userId)) {
          this.logger.debug({ msg: 'typing of a non-member dropped', conversationId, userId });
          return [];
        }
        const others = conversation.memberIds.filter((memberId) => memberId !== userId);
        return fanOut({ type: 'typing', conversationId, userId, active }, others, locate, context);
      }
      case 'chat.command-answered': {
        // Even to a gateway without a known lease yet: it just started and its socket is waiting.
        const { replyTo, frame } = event.payload;
        return [toConnection(frame, replyTo.gatewayId, replyTo.connectionId, context)];
      }
      case 'chat.command-answers': {
        // Passed on as one record, so the gateway writes the frames in order without a record each.
        const { replyTo, frames } = event.payload;
        return [answersToConnection(frames, replyTo.gatewayId, replyTo.connectionId, context)];
      }
    }
  }
}
