import { Topics } from '@chat/protocol';
import { answerTo, commands, publishedAnnouncements, type Harness, startHarness } from '../../test/harness';
import { AnnouncementsJanitor } from './announcements.janitor';

const HOUR_MS = 60 * 60 * 1000;
const LIMIT = 3;

describe('announcements (PostgreSQL)', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ ANNOUNCEMENTS_PER_ADMIN_PER_HOUR: String(LIMIT) });
  }, 120_000);

  afterAll(async () => {
    await h?.close();
  });

  /** An administrator of its own, so each test's rate limit starts at zero. */
  async function admin(): Promise<string> {
    const [id] = await h.users(1);
    return id;
  }

  async function rows(senderId: string): Promise<Array<{ id: string; body: string; sent_at: Date; expires_at: Date; tombstoned_at: Date | null }>> {
    return h.dataSource.query('select id, body, sent_at, expires_at, tombstoned_at from announcements where sender_id = $1 order by sent_at', [senderId]);
  }

  it('stores an announcement, publishes it on chat.announcements keyed by its id, and answers the sender with it', async () => {
    const sender = await admin();
    const sentAt = Date.now();
    const announce = commands.announce(sender, 'Maintenance at 22:00', { expiresInSeconds: 600 }, { occurredAt: sentAt });
    const effects = await h.run(announce);

    const [published] = publishedAnnouncements(effects);
    expect(published).toEqual({ announcementId: expect.any(String), senderId: sender, body: 'Maintenance at 22:00', sentAt, expiresAt: sentAt + 600_000 });
    expect(effects.find((effect) => effect.topic === Topics.announcements.name)?.key).toBe(published.announcementId);
    expect(answerTo(effects, announce, 'announcement')).toEqual({ type: 'announcement', replyTo: announce.payload.replyTo.requestId, ...published });
    // The body is stored sealed (stored-content.integration-spec reads it back).
    expect(await rows(sender)).toEqual([{ id: published.announcementId, body: expect.stringMatching(/^v1:/), sent_at: new Date(sentAt), expires_at: new Date(sentAt + 600_000), tombstoned_at: null }]);
  });

  it('stores a retry with the same clientAnnouncementId once: the retry is answered with the original and publishes nothing again', async () => {
    const sender = await admin();
    const first = commands.announce(sender, 'Welcome', { clientAnnouncementId: 'welcome-1' });
    const [original] = publishedAnnouncements(await h.run(first));
    const retry = commands.announce(sender, 'Welcome', { clientAnnouncementId: 'welcome-1' });
    const retried = await h.run(retry);
    expect(publishedAnnouncements(retried)).toEqual([]);
    expect(answerTo(retried, retry, 'announcement')).toEqual({ type: 'announcement', replyTo: retry.payload.replyTo.requestId, ...original });
    // Another key is another announcement.
    expect(publishedAnnouncements(await h.run(commands.announce(sender, 'Welcome', { clientAnnouncementId: 'welcome-2' })))).toHaveLength(1);
    const stored = await rows(sender);
    expect(stored).toHaveLength(2);
    expect(stored[0].id).toBe(original.announcementId);
  });

  it('re-publishes what a replayed command produced instead of storing it again, even without a key', async () => {
    const sender = await admin();
    const announce = commands.announce(sender, 'Once only');
    const first = await h.run(announce);
    // Kafka delivers the same command again (a crash after the commit, before the offset commit).
    const replayed = await h.run(announce);
    expect(publishedAnnouncements(replayed)).toEqual(publishedAnnouncements(first));
    expect(await rows(sender)).toHaveLength(1);
  });

  it(`refuses more than ${LIMIT} announcements per administrator in an hour with quota_exceeded naming the limit, and allows them again an hour later`, async () => {
    const [sender, other] = [await admin(), await admin()];
    const start = Date.now();
    const allowed = Array.from({ length: LIMIT }, (_, i) => commands.announce(sender, `news ${i}`, {}, { occurredAt: start + i * 60_000 }));
    const over = commands.announce(sender, 'one too many', {}, { occurredAt: start + HOUR_MS - 1 });
    const effects = await h.run(...allowed, over);

    expect(publishedAnnouncements(effects).map((a) => a.body)).toEqual(['news 0', 'news 1', 'news 2']);
    expect(answerTo(effects, over, 'error')).toEqual({
      type: 'error',
      replyTo: over.payload.replyTo.requestId,
      code: 'quota_exceeded',
      message: `at most ${LIMIT} announcements per administrator per hour; try again later`,
    });
    // Another administrator has a limit of their own.
    expect(publishedAnnouncements(await h.run(commands.announce(other, 'mine', {}, { occurredAt: start + HOUR_MS - 1 })))).toHaveLength(1);
    // An hour after the first, it has left the window.
    const later = commands.announce(sender, 'next hour', {}, { occurredAt: start + HOUR_MS + 1 });
    expect(answerTo(await h.run(later), later, 'announcement').body).toBe('next hour');
    expect(await rows(sender)).toHaveLength(LIMIT + 1);
  });

  it('tombstones expired announcements on chat.announcements once, and leaves current ones alone', async () => {
    const sender = await admin();
    const sentAt = Date.now();
    const [short] = publishedAnnouncements(await h.run(commands.announce(sender, 'short', { expiresInSeconds: 60 }, { occurredAt: sentAt })));
    const [long] = publishedAnnouncements(await h.run(commands.announce(sender, 'long', { expiresInSeconds: 86_400 }, { occurredAt: sentAt })));
    const janitor = h.moduleRef.get(AnnouncementsJanitor);
    const tombstonedKeys = () => h.producer.sent.filter(({ topic }) => topic === Topics.announcements.name).flatMap(({ messages }) => messages.filter((m) => m.value === null).map((m) => String(m.key)));

    await janitor.tombstoneExpired(short.expiresAt - 1);
    expect(tombstonedKeys()).not.toContain(short.announcementId);

    await janitor.tombstoneExpired(short.expiresAt);
    expect(tombstonedKeys()).toContain(short.announcementId);
    expect(tombstonedKeys()).not.toContain(long.announcementId);
    const stored = await rows(sender);
    expect(stored.find((row) => row.id === short.announcementId)?.tombstoned_at).toEqual(new Date(short.expiresAt));
    expect(stored.find((row) => row.id === long.announcementId)?.tombstoned_at).toBeNull();

    // Once is enough: the next round does not tombstone it again.
    await janitor.tombstoneExpired(short.expiresAt + 60_000);
    expect(tombstonedKeys().filter((key) => key === short.announcementId)).toHaveLength(1);
  });
});
