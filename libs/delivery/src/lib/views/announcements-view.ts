import type { Announcement, ServerFrameOf } from '@chat/protocol';

/**
 * The current announcements, from the compacted `chat.announcements` (the latest record per
 * announcement; persistence tombstones it once expired). "Current" is decided by the clock, not by
 * the tombstone, which may come a minute or so late: an announcement is current until `expiresAt`.
 * Users who connect get the current ones with their `session` frame, so nobody offline when one was
 * sent misses it.
 */
export class AnnouncementsView {
  private readonly announcements = new Map<string, Announcement>();

  /** The latest record of an announcement; null (a tombstone) forgets it. */
  apply(announcementId: string, announcement: Announcement | null): void {
    if (announcement === null) this.announcements.delete(announcementId);
    else this.announcements.set(announcementId, announcement);
  }

  /** The announcements not expired at `now`, as pushed frames, oldest first. */
  current(now: number): Array<ServerFrameOf<'announcement'>> {
    return [...this.announcements.values()]
      .filter((announcement) => announcement.expiresAt > now)
      .sort((a, b) => a.sentAt - b.sentAt || a.announcementId.localeCompare(b.announcementId))
      .map((announcement) => ({ type: 'announcement', ...announcement }));
  }

  /** Forgets what expired by `now`, so memory does not wait for the tombstones. */
  prune(now: number): void {
    for (const [announcementId, announcement] of this.announcements) if (announcement.expiresAt <= now) this.announcements.delete(announcementId);
  }

  get size(): number {
    return this.announcements.size;
  }
}
