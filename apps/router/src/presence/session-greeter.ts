import { Injectable } from '@nestjs/common';
import { MAX_SESSION_PRESENCE, type EnvelopeContext, type OpenedSession, type ServerFrameOf } from '@chat/protocol';
import { AnnouncementsView, type Delivery, MembershipView, PresenceView, toConnection } from '@chat/delivery';

/**
 * Answers a newly registered socket with its `session` frame: the gateway's part (connection,
 * heartbeat, limits) from the presence record, and which of the user's contacts are online now;
 * then, in the same delivery, the announcements still current, so a user who was offline when one
 * was sent sees it on connecting. Called once this instance's presence view holds the record, so
 * the user counts as connected there.
 */
@Injectable()
export class SessionGreeter {
  constructor(
    private readonly presence: PresenceView,
    private readonly memberships: MembershipView,
    private readonly announcements: AnnouncementsView,
  ) {}

  deliveries(opened: { gatewayId: string; userId: string; openedSessions: readonly OpenedSession[] }, context: EnvelopeContext, now: number): Delivery[] {
    if (opened.openedSessions.length === 0) return [];
    const onlineContactIds = this.onlineContactsOf(opened.userId);
    const announcements = this.announcements.current(now);
    return opened.openedSessions.map((session) => {
      const frame: ServerFrameOf<'session'> = { type: 'session', userId: opened.userId, ...session, onlineContactIds };
      return toConnection([frame, ...announcements], opened.gatewayId, session.connectionId, context);
    });
  }

  private onlineContactsOf(userId: string): string[] {
    const online: string[] = [];
    for (const contactId of this.memberships.contactsOf(userId)) {
      if (online.length >= MAX_SESSION_PRESENCE) break;
      if (this.presence.isOnline(contactId)) online.push(contactId);
    }
    return online;
  }
}
