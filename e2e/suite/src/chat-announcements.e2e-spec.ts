import { randomBytes } from 'node:crypto';
import { AuthSession, ChatRequestError } from '@chat/client-sdk';
import type { Announcement } from '@chat/protocol';
import { expectEventually } from '@chat/testing';
import { useChatSuite } from './support/chat-suite';
import { type TestDevice, type TestUser, useChatUsers } from './support/chat-users';
import { uniqueName } from './support/environment';

/*
 * Announcements as users see them, on two gateways: an administrator (a name in auth's
 * ADMIN_USERNAMES, so their token carries the admin role) announces, and every online socket on
 * both gateways gets it; anyone else is refused with `forbidden`; past the hourly limit the answer
 * is `quota_exceeded`.
 */

const RATE_LIMIT = 3;
const admins = [uniqueName('ann-admin').slice(0, 32), uniqueName('ann-admin').slice(0, 32)];
const suite = useChatSuite({
  label: 'announcements',
  gateways: [{}, {}],
  env: { ADMIN_USERNAMES: admins.join(','), ANNOUNCEMENTS_PER_ADMIN_PER_HOUR: String(RATE_LIMIT) },
});
const users = useChatUsers(suite);

/** Registers one of the administrators named in ADMIN_USERNAMES and logs in. */
async function registerAdmin(username: string): Promise<TestUser> {
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  const registered = await users.auth.register(username, password);
  return { username, password, userId: registered.userId, session: await AuthSession.login(users.auth, username, password) };
}

/** The announcements that came over a device's socket (before the SDK's dedupe), by id. */
function announcementsOnTheWire(device: TestDevice, announcementId: string): number {
  return device.frames.filter((frame) => frame.type === 'announcement' && frame.announcementId === announcementId && frame.replyTo === undefined).length;
}

describe('announcements, end to end', () => {
  let admin: TestUser;
  let rateLimitedAdmin: TestUser;

  beforeAll(async () => {
    [admin, rateLimitedAdmin] = await Promise.all(admins.map(registerAdmin)) as [TestUser, TestUser];
  });

  it("reaches every online socket on both gateways, the sender's other devices included", async () => {
    const [bob, carol, dave] = await users.registerMany(3, 'ann');
    if (!bob || !carol || !dave) throw new Error('registration failed');
    const sender = await users.connect(admin);
    const senderElsewhere = await users.connect(admin, { gateway: 1 });
    const receivers = [await users.connect(bob), await users.connect(carol, { gateway: 1 }), await users.connect(dave), await users.connect(dave, { gateway: 1 })];
    const heard = new Map<TestDevice, Announcement[]>(receivers.map((device) => [device, []]));
    for (const device of receivers) device.client.on('announcement', (item) => heard.get(device)?.push(item));

    const startedAt = Date.now();
    const stored = await sender.client.announce('Maintenance at 22:00 UTC', { expiresInSeconds: 600 });
    expect(stored).toEqual({ announcementId: expect.any(String), senderId: admin.userId, body: 'Maintenance at 22:00 UTC', sentAt: expect.any(Number), expiresAt: stored.sentAt + 600_000 });

    const reachedAt = new Map<TestDevice, number>();
    await expectEventually(() => {
      for (const device of [...receivers, senderElsewhere]) {
        if (!reachedAt.has(device) && announcementsOnTheWire(device, stored.announcementId) > 0) reachedAt.set(device, Date.now());
      }
      expect(reachedAt.size).toBe(receivers.length + 1);
    }, { intervalMs: 5 });
    console.log(`an announcement reached ${reachedAt.size} sockets on 2 gateways within ${Math.max(...reachedAt.values()) - startedAt} ms of announce()`);

    // The app hears of it once per device, and each device lists it as current (beside any that
    // other e2e files on this broker sent and that are still current).
    for (const device of receivers) {
      expect(heard.get(device)?.filter((item) => item.announcementId === stored.announcementId)).toEqual([stored]);
      expect(device.client.announcements().filter((item) => item.announcementId === stored.announcementId)).toEqual([stored]);
    }

    // Erin was offline: she gets the still-current announcement right behind her session frame.
    const erin = await users.connect(await users.register('ann-late'), { gateway: 1 });
    await expectEventually(() => expect(erin.client.announcements().map((item) => item.announcementId)).toContain(stored.announcementId));
    const types = erin.frames.map((frame) => frame.type);
    expect(types.indexOf('session')).toBeGreaterThanOrEqual(0);
    expect(types.indexOf('session')).toBeLessThan(types.indexOf('announcement'));
  });

  it("refuses a non-administrator's announcement with forbidden, and nobody gets it", async () => {
    const [mallory, bob] = await users.registerMany(2, 'ann-user');
    if (!mallory || !bob) throw new Error('registration failed');
    const device = await users.connect(mallory, { gateway: 1 });
    const listener = await users.connect(bob);
    const refusal = await device.client.announce('Free pizza for everyone').catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(ChatRequestError);
    expect(refusal).toMatchObject({ code: 'forbidden', requestType: 'announce' });
    expect((refusal as Error).message).toBe('announce failed: forbidden: only administrators may send announcements');
    // Refused at the gateway, before Kafka: a request sent after it is answered after it, and no
    // announcement came to anyone meanwhile.
    await listener.client.ping();
    await device.client.ping();
    expect([...device.frames, ...listener.frames].filter((frame) => frame.type === 'announcement' && frame.body === 'Free pizza for everyone')).toEqual([]);
  });

  it(`refuses an administrator's announcement beyond ${RATE_LIMIT} an hour with quota_exceeded; a retry of a stored one still gets its answer`, async () => {
    const device = await users.connect(rateLimitedAdmin, { gateway: 1 });
    const sent: Announcement[] = [];
    for (let i = 1; i <= RATE_LIMIT; i += 1) sent.push(await device.client.announce(`notice ${i}`, { clientAnnouncementId: `notice-${i}`, expiresInSeconds: 60 }));
    expect(sent.map((item) => item.body)).toEqual(['notice 1', 'notice 2', 'notice 3']);

    const overLimit = device.client.announce('one too many');
    await expect(overLimit).rejects.toMatchObject({ code: 'quota_exceeded' });
    await expect(overLimit).rejects.toThrow(`quota_exceeded: at most ${RATE_LIMIT} announcements per administrator per hour; try again later`);
    // Idempotent: the same key answers with the announcement it stored, limit or not.
    await expect(device.client.announce('notice 1', { clientAnnouncementId: 'notice-1', expiresInSeconds: 60 })).resolves.toEqual(sent[0]);
  });
});
