import { Injectable } from '@nestjs/common';
import type { EnvelopeContext } from '@chat/protocol';
import { type Delivery, fanOut, MembershipView, PresenceView } from '@chat/delivery';
import type { PresenceAnnouncement } from './presence-transition';

/** A `presence` frame to every connected contact of the user: members of any conversation they share. */
@Injectable()
export class PresenceAnnouncer {
  constructor(
    private readonly presence: PresenceView,
    private readonly memberships: MembershipView,
  ) {}

  deliveries({ userId, online, at }: PresenceAnnouncement, context: EnvelopeContext, now: number): Delivery[] {
    const contacts = this.memberships.contactsOf(userId);
    return fanOut({ type: 'presence', userId, online, at }, contacts, (contactId) => this.presence.gatewaysOf(contactId, now), context);
  }
}
