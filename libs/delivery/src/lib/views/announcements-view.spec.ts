import { randomUUID } from 'node:crypto';
import type { Announcement } from '@chat/protocol';
import { AnnouncementsView } from './announcements-view';

const admin = randomUUID();
const HOUR_MS = 60 * 60 * 1000;

function announcement(sentAt: number, expiresInMs: number, body = `at ${sentAt}`): Announcement {
  return { announcementId: randomUUID(), senderId: admin, body, sentAt, expiresAt: sentAt + expiresInMs };
}

describe('AnnouncementsView', () => {
  it('gives the announcements not yet expired, oldest first, as pushed frames (no replyTo)', () => {
    const view = new AnnouncementsView();
    const later = announcement(2000, HOUR_MS, 'later');
    const earlier = announcement(1000, HOUR_MS, 'earlier');
    const shortLived = announcement(1500, 60_000, 'short');
    for (const item of [later, earlier, shortLived]) view.apply(item.announcementId, item);

    expect(view.current(2000)).toEqual([
      { type: 'announcement', ...earlier },
      { type: 'announcement', ...shortLived },
      { type: 'announcement', ...later },
    ]);
    // Expired at its expiresAt, even before persistence tombstones it.
    expect(view.current(shortLived.expiresAt).map((frame) => frame.body)).toEqual(['earlier', 'later']);
    expect(view.current(earlier.expiresAt + 1000)).toEqual([]);
  });

  it('forgets an announcement on its tombstone, and keeps the latest record of one', () => {
    const view = new AnnouncementsView();
    const item = announcement(1000, HOUR_MS);
    view.apply(item.announcementId, item);
    view.apply(item.announcementId, item);
    expect(view.size).toBe(1);
    view.apply(item.announcementId, null);
    expect(view.current(1000)).toEqual([]);
    expect(view.size).toBe(0);
  });

  it('prunes the expired ones without waiting for their tombstones', () => {
    const view = new AnnouncementsView();
    const expiring = announcement(1000, 60_000);
    const staying = announcement(1000, HOUR_MS);
    view.apply(expiring.announcementId, expiring);
    view.apply(staying.announcementId, staying);
    view.prune(expiring.expiresAt);
    expect(view.size).toBe(1);
    expect(view.current(expiring.expiresAt).map((frame) => frame.announcementId)).toEqual([staying.announcementId]);
  });
});
