import { Injectable, Logger } from '@nestjs/common';
import type { ChatEventEnvelope } from '@chat/protocol';
import { deliveriesOfStoredFact, fanOut, MembershipView, PresenceView, type Delivery } from '@chat/delivery';

/**
 * Who receives an event of `chat.events`, as deliveries per gateway. Typing is checked against the
 * membership view. Persistence delivers the facts it stores straight to the gateways; those that
 * still come this way (records of an older persistence, replayed after an upgrade) are routed alike.
 */
@Injectable()
export class RouteEventUseCase {
  private readonly logger = new Logger(RouteEventUseCase.name);

  constructor(
    private readonly presence: PresenceView,
    private readonly memberships: MembershipView,
  ) {}

  execute(event: ChatEventEnvelope, now: number): Delivery[] {
    const locate = (userId: string) => this.presence.gatewaysOf(userId, now);
    if (event.type !== 'chat.typing-changed') return deliveriesOfStoredFact(event, locate);
    const { conversationId, userId, active } = event.payload;
    const conversation = this.memberships.get(conversationId);
    if (!conversation || !this.memberships.isMember(conversationId, userId)) {
      this.logger.debug({ msg: 'typing of a non-member dropped', conversationId, userId });
      return [];
    }
    const others = conversation.memberIds.filter((memberId) => memberId !== userId);
    return fanOut({ type: 'typing', conversationId, userId, active }, others, locate, { traceId: event.traceId, occurredAt: event.occurredAt });
  }
}
