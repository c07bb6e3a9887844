import { randomBytes } from 'node:crypto';
import { AuthSession } from '@chat/client-sdk';
import { expectEventually } from '@chat/testing';
import type { Browser, Locator, Page } from 'playwright-core';
import { useChatSuite } from './support/chat-suite';
import { useChatUsers } from './support/chat-users';
import { uniqueName } from './support/environment';
import { launchChromium, openWebClient, screenshot, type WebUser } from './support/web-browser';

/*
 * The built web client (dist/apps/web) in Debian's Chromium, served as `npm start` serves it (the web
 * server of @chat/local-infra: static files, /auth and /ws routed to the suite), one browser context
 * per user. Everything is found by role and label, as assistive technology finds it. Screenshots of
 * each step: test-artifacts/web/.
 */

const adminName = uniqueName('web-admin').slice(0, 32);
const suite = useChatSuite({ label: 'web', web: true, env: { ADMIN_USERNAMES: adminName } });
const users = useChatUsers(suite);

/** A phone's screen: one user runs the narrow layout (the list, or one conversation with a back button). */
const NARROW = { width: 390, height: 844 };

let browser: Browser;
const opened: WebUser[] = [];

beforeAll(async () => {
  browser = await launchChromium();
}, 90_000);

afterAll(async () => {
  await browser?.close();
});

/** Registers in the browser ("Create an account") and lands signed in. */
async function registerInBrowser(prefix: string, viewport?: { width: number; height: number }): Promise<WebUser> {
  const username = uniqueName(prefix).slice(0, 32);
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  const { context, page } = await openWebClient(browser, suite().web.url, viewport);
  await page.getByRole('button', { name: 'New here? Create an account' }).click();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByText(`Signed in as ${username}`).waitFor();
  const user = { username, password, context, page };
  opened.push(user);
  return user;
}

const conversations = (page: Page): Locator => page.getByRole('navigation', { name: 'Conversations' });
const conversationButton = (page: Page, title: string): Locator => conversations(page).getByRole('button', { name: new RegExp(title) });
const messageLog = (page: Page): Locator => page.getByRole('log');
const messageItem = (page: Page, body: string): Locator => messageLog(page).getByRole('listitem').filter({ hasText: body });
const connectionStatus = (page: Page): Locator => page.getByRole('status', { name: 'Connection' });

async function send(page: Page, body: string): Promise<void> {
  const composer = page.getByLabel('Message', { exact: true });
  await composer.fill(body);
  await composer.press('Enter');
}

/** How many messages with exactly this body the open conversation shows. */
async function countOf(page: Page, body: string): Promise<number> {
  return messageLog(page).getByRole('listitem').filter({ has: page.getByText(body, { exact: true }) }).count();
}

async function textOf(locator: Locator): Promise<string> {
  return (await locator.textContent()) ?? '';
}

describe('the web client in a real browser', () => {
  let alice: WebUser;
  let bob: WebUser;
  let carol: WebUser;

  it('two users register and sign in, one starts a direct chat by username, messages flow both ways with receipts and typing', async () => {
    [alice, bob] = [await registerInBrowser('web-alice'), await registerInBrowser('web-bob')];
    await screenshot(alice.page, '01-signed-in');

    const startChat = alice.page.getByRole('form', { name: 'Start a direct chat' });
    await startChat.getByLabel('Username').fill(bob.username);
    await startChat.getByRole('button', { name: 'Chat' }).click();
    await alice.page.getByRole('heading', { name: bob.username }).waitFor();
    await send(alice.page, 'hello bob');

    // Stored ("Sent"), then bob's client reports it delivered before he even opens the conversation.
    await messageItem(alice.page, 'hello bob').getByText(/^(Sent|Delivered)$/).waitFor();
    await conversationButton(bob.page, alice.username).getByText('1 unread').waitFor();
    await messageItem(alice.page, 'hello bob').getByText('Delivered', { exact: true }).waitFor();
    await screenshot(bob.page, '02-unread-in-list');
    await screenshot(alice.page, '03-delivered');

    await conversationButton(bob.page, alice.username).click();
    await messageItem(bob.page, 'hello bob').waitFor();
    await messageItem(alice.page, 'hello bob').getByText('Read', { exact: true }).waitFor();
    expect(await conversationButton(bob.page, alice.username).getByText(/unread/).count()).toBe(0);
    await screenshot(alice.page, '04-read');

    // Typing shows on the other side, and goes once the message is sent.
    await bob.page.getByLabel('Message', { exact: true }).pressSequentially('hi al');
    await alice.page.getByRole('status', { name: 'Typing' }).getByText(`${bob.username} is typing…`).waitFor();
    await screenshot(alice.page, '05-typing');
    await bob.page.getByLabel('Message', { exact: true }).fill('hi alice');
    await bob.page.getByLabel('Message', { exact: true }).press('Enter');
    await messageItem(alice.page, 'hi alice').waitFor();
    await messageItem(bob.page, 'hi alice').getByText('Read', { exact: true }).waitFor();
    await expectEventually(async () => expect(await textOf(alice.page.getByRole('status', { name: 'Typing' }))).toBe(''));
    expect(await countOf(alice.page, 'hello bob')).toBe(1);
    expect(await countOf(alice.page, 'hi alice')).toBe(1);
  });

  it('a reload keeps the user signed in and shows the history', async () => {
    await bob.page.reload();
    await bob.page.getByText(`Signed in as ${bob.username}`).waitFor();
    await conversationButton(bob.page, alice.username).click();
    await messageItem(bob.page, 'hello bob').waitFor();
    await messageItem(bob.page, 'hi alice').waitFor();
    expect(await countOf(bob.page, 'hello bob')).toBe(1);
    await screenshot(bob.page, '06-after-reload');
  });

  it('a group of three: created by usernames, messages reach every member, a removed member gets nothing more', async () => {
    carol = await registerInBrowser('web-carol', NARROW);
    const title = `Weekend ${randomBytes(3).toString('hex')}`;
    await alice.page.getByText('New group').click();
    const create = alice.page.getByRole('form', { name: 'Create a group' });
    await create.getByLabel('Group name').fill(title);
    await create.getByLabel('Members (usernames, separated by commas)').fill(`${bob.username}, ${carol.username}`);
    await create.getByRole('button', { name: 'Create group' }).click();
    await alice.page.getByRole('heading', { name: title }).waitFor();
    await send(alice.page, 'hello group');

    for (const member of [bob, carol]) {
      await conversationButton(member.page, title).click();
      await messageItem(member.page, 'hello group').waitFor();
    }
    await send(carol.page, 'carol here');
    await messageItem(alice.page, 'carol here').waitFor();
    await messageItem(bob.page, 'carol here').waitFor();
    await messageItem(carol.page, 'carol here').getByText('Read', { exact: true }).waitFor();
    await screenshot(carol.page, '07-group-narrow');

    await alice.page.getByRole('button', { name: 'Members' }).click();
    const members = alice.page.getByRole('region', { name: 'Members' });
    await members.getByRole('button', { name: `Remove ${carol.username}` }).click();
    await carol.page.getByText('You are no longer a member of this group').waitFor();
    await expectEventually(async () => expect(await members.getByRole('listitem').count()).toBe(2));
    await screenshot(alice.page, '08-member-removed');

    await send(alice.page, 'after carol left');
    await messageItem(bob.page, 'after carol left').waitFor();
    // Bob has it, so it has been delivered everywhere it goes: not to carol, who also cannot write any more.
    expect(await countOf(carol.page, 'after carol left')).toBe(0);
    expect(await carol.page.getByLabel('Message', { exact: true }).count()).toBe(0);
    await screenshot(carol.page, '09-removed-member');
  });

  it("an administrator's announcement appears as a banner", async () => {
    const password = `pw-${randomBytes(9).toString('base64url')}`;
    const registered = await users.auth.register(adminName, password);
    const admin = await users.connect({ username: adminName, password, userId: registered.userId, session: await AuthSession.login(users.auth, adminName, password) });
    await admin.client.announce('Maintenance tonight at 22:00 UTC', { expiresInSeconds: 600 });

    for (const user of [alice, bob]) {
      await user.page.getByRole('region', { name: 'Announcements' }).getByText('Maintenance tonight at 22:00 UTC').waitFor();
    }
    await screenshot(alice.page, '10-announcement');
    // Other announcements still current on the suite's broker may show too: dismiss this one.
    const banner = alice.page.getByRole('region', { name: 'Announcements' }).locator('.banner', { hasText: 'Maintenance tonight at 22:00 UTC' });
    await banner.getByRole('button', { name: 'Dismiss announcement' }).click();
    await banner.waitFor({ state: 'detached' });
  });

  it('a dropped network shows the banner, and the client resumes without losing or doubling a message', async () => {
    await conversationButton(alice.page, bob.username).click();
    await conversationButton(bob.page, alice.username).click();
    await messageItem(alice.page, 'hi alice').waitFor();
    await messageItem(bob.page, 'hi alice').waitFor();

    await bob.context.setOffline(true);
    await connectionStatus(bob.page).getByText(/offline/).waitFor();
    await send(alice.page, 'sent while bob was offline');
    await send(bob.page, 'written by bob while offline');
    await messageItem(bob.page, 'written by bob while offline').getByText('Sending…').waitFor();
    await messageItem(alice.page, 'sent while bob was offline').getByText('Sent', { exact: true }).waitFor();
    await screenshot(bob.page, '11-offline-banner');

    await bob.context.setOffline(false);
    await expectEventually(async () => expect(await textOf(connectionStatus(bob.page))).toBe(''), { timeoutMs: 60_000 });
    await messageItem(bob.page, 'sent while bob was offline').waitFor();
    await messageItem(alice.page, 'written by bob while offline').waitFor();
    await messageItem(bob.page, 'written by bob while offline').getByText(/^(Sent|Delivered|Read)$/).waitFor();
    // Each once on both sides: the SDK resent bob's message with its clientMsgId and dropped what it already had.
    for (const page of [alice.page, bob.page]) {
      for (const body of ['hello bob', 'hi alice', 'sent while bob was offline', 'written by bob while offline']) expect(await countOf(page, body)).toBe(1);
    }
    await messageItem(alice.page, 'sent while bob was offline').getByText('Read', { exact: true }).waitFor();
    await screenshot(bob.page, '12-resumed');
  });

  afterAll(async () => {
    for (const user of opened.splice(0)) await user.context.close().catch(() => undefined);
  });
});
