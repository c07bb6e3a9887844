import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { MoreThan, type EntityManager } from 'typeorm';
import type { AnnounceCommand, Announcement, EnvelopeOf, ServerFrameOf } from '@chat/protocol';
import { PersistenceConfig } from '../config';
import { AnnouncementEntity } from '../database/entities/announcement.entity';
import { openField, sealField } from '../database/stored-content';
import { CommandRejected } from '../outcomes/command-rejected';
import { announcementPublished, answer, type Effect } from '../outcomes/effects';

type Announce = EnvelopeOf<typeof AnnounceCommand>;

/** The window of the per-administrator rate limit. */
export const ANNOUNCEMENT_RATE_WINDOW_MS = 60 * 60 * 1000;

/**
 * Stores an administrator's announcement (the gateway let only administrators' commands through),
 * publishes it on `chat.announcements` for the router to broadcast, and answers the sender with it.
 * A retry with the same `clientAnnouncementId` answers with the stored one and publishes nothing
 * again: the first went out with its own command (a replayed command re-publishes from
 * processed_commands). More than ANNOUNCEMENTS_PER_ADMIN_PER_HOUR in the hour before this one
 * (by the gateway's receive time) are refused with `quota_exceeded`. A sender's commands share a
 * partition (chatCommandKey), so the count is never raced by another instance.
 */
@Injectable()
export class AnnounceUseCase {
  constructor(private readonly config: PersistenceConfig) {}

  async execute(command: Announce, manager: EntityManager): Promise<Effect[]> {
    const { senderId, body, expiresInSeconds, clientAnnouncementId, replyTo } = command.payload;
    if (clientAnnouncementId !== undefined) {
      const existing = await manager.findOneBy(AnnouncementEntity, { senderId, clientAnnouncementId });
      if (existing) return [answer(command, announcementFrame(announcementOf(existing), replyTo.requestId))];
    }
    const sentAt = command.occurredAt;
    const limit = this.config.ANNOUNCEMENTS_PER_ADMIN_PER_HOUR;
    const recent = await manager.countBy(AnnouncementEntity, { senderId, sentAt: MoreThan(new Date(sentAt - ANNOUNCEMENT_RATE_WINDOW_MS)) });
    if (recent >= limit) throw new CommandRejected('quota_exceeded', `at most ${limit} announcements per administrator per hour; try again later`);

    const announcement: Announcement = { announcementId: randomUUID(), senderId, body, sentAt, expiresAt: sentAt + expiresInSeconds * 1000 };
    const sealed = sealField('announcementBody', announcement.announcementId, body);
    await manager.insert(AnnouncementEntity, {
      id: announcement.announcementId,
      senderId,
      clientAnnouncementId: clientAnnouncementId ?? null,
      body: sealed.value,
      bodyKeyId: sealed.keyId,
      sentAt: new Date(announcement.sentAt),
      expiresAt: new Date(announcement.expiresAt),
      tombstonedAt: null,
    });
    return [announcementPublished(command, announcement), answer(command, announcementFrame(announcement, replyTo.requestId))];
  }
}

function announcementOf(row: AnnouncementEntity): Announcement {
  const body = openField('announcementBody', row.id, row.body, row.bodyKeyId);
  return { announcementId: row.id, senderId: row.senderId, body, sentAt: row.sentAt.getTime(), expiresAt: row.expiresAt.getTime() };
}

function announcementFrame(announcement: Announcement, requestId: string): ServerFrameOf<'announcement'> {
  return { type: 'announcement', replyTo: requestId, ...announcement };
}
