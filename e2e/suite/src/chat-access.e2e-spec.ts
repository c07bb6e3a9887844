import { randomUUID } from 'node:crypto';
import { generateSigningKey, signAccessToken } from '@chat/auth-tokens';
import { ChatClient, ChatRequestError, ConnectionClosedError } from '@chat/client-sdk';
import { nodeSocketFactory } from '@chat/client-sdk/node';
import { CloseCodes } from '@chat/protocol';
import { expectEventually, rejectionOf } from '@chat/testing';
import { RawSocket } from './support/chat-raw-socket';
import { useChatSuite } from './support/chat-suite';
import { type TestDevice, type TestUser, useChatUsers } from './support/chat-users';
import { suiteTokenSigning } from './support/access-tokens';

/*
 * Who may do what, and what happens to connections that should not last. Gateway 1 pings every
 * second and drops a socket silent for 2 s (the smallest values its configuration accepts), so a
 * dead client is noticed within a few seconds.
 */

const FAST_HEARTBEAT = { WS_PING_INTERVAL_MS: '1000', WS_IDLE_TIMEOUT_MS: '2000' };

const suite = useChatSuite({ label: 'access', gateways: [{}, { env: FAST_HEARTBEAT }] });
const users = useChatUsers(suite);

/** What the suite's auth signs with. */
const tokenSettings = suiteTokenSigning;

async function directBetween(device: TestDevice, peer: TestUser): Promise<string> {
  const conversation = await device.client.openDirect(peer.userId);
  await expectEventually(() => expect(device.memberAdded.map((frame) => frame.conversationId)).toContain(conversation.conversationId));
  return conversation.conversationId;
}

describe('chat access, end to end', () => {
  it('a non-member gets not_member on send, sync and history of a conversation, and learns nothing of it', async () => {
    const [alice, bob, mallory] = await users.registerMany(3, 'access');
    if (!alice || !bob || !mallory) throw new Error('registration failed');
    const a = await users.connect(alice);
    const conversationId = await directBetween(a, bob);
    await a.client.sendAndWaitStored(conversationId, 'private');

    const m = await users.connect(mallory);
    const send = await rejectionOf(m.client.sendAndWaitStored(conversationId, 'let me in'), ChatRequestError);
    expect(send).toMatchObject({ code: 'not_member', requestType: 'send' });
    await expect(m.client.sync([{ conversationId, afterSeq: 0 }])).rejects.toMatchObject({ code: 'not_member', requestType: 'sync' });
    await expect(m.client.history(conversationId)).rejects.toMatchObject({ code: 'not_member', requestType: 'history' });
    // A conversation that does not exist looks the same, so ids cannot be probed.
    await expect(m.client.history(randomUUID())).rejects.toMatchObject({ code: 'not_member' });

    expect(m.messages).toEqual([]);
    expect(await m.client.listConversations()).toEqual([]);
    const page = await a.client.history(conversationId);
    expect(page.messages.map((message) => message.body)).toEqual(['private']);
  });

  it('a bad token cannot connect: the gateway closes with 4001 and the SDK does not retry', async () => {
    const alice = await users.register('alice');
    const forged = signAccessToken({ ...tokenSettings(), signingKey: generateSigningKey('not-listed') }, { userId: alice.userId, username: alice.username, tokenId: randomUUID() }, 300);
    for (const token of [undefined, 'not-a-jwt', forged]) {
      const close = await new RawSocket(suite().gatewayUrl(), { token }).closed;
      expect({ token: token?.slice(0, 12), code: close.code }).toEqual({ token: token?.slice(0, 12), code: CloseCodes.unauthorized.code });
    }

    const client = new ChatClient({ socketFactory: nodeSocketFactory(), reconnect: { minDelayMs: 50, maxDelayMs: 100 } });
    const attempts: number[] = [];
    client.on('state', (change) => {
      if (change.state === 'connecting') attempts.push(Date.now());
    });
    const error = await rejectionOf(client.connect(suite().gatewayUrl(), forged), ConnectionClosedError);
    expect(error).toMatchObject({ closeCode: 4001, closeName: 'unauthorized' });
    expect(client.state).toBe('closed');
    expect(attempts).toHaveLength(1);
  });

  it('an expired token is refused with 4002; the SDK refreshes it through auth and connects', async () => {
    const alice = await users.register('alice');
    const expired = signAccessToken(tokenSettings(), { userId: alice.userId, username: alice.username, tokenId: randomUUID() }, -60);
    const close = await new RawSocket(suite().gatewayUrl(), { token: expired }).closed;
    expect(close.code).toBe(CloseCodes.token_expired.code);

    const reasons: string[] = [];
    const client = new ChatClient({ socketFactory: nodeSocketFactory() });
    await client.connect(suite().gatewayUrl(), async (reason) => {
      reasons.push(reason);
      return reason === 'expired' ? (await alice.session.refresh()).accessToken : expired;
    });
    expect(reasons).toEqual(['connect', 'expired']);
    expect(client.state).toBe('ready');
    await expect(client.listConversations()).resolves.toEqual([]);
    client.close();

    // With a fixed token there is nothing to refresh: the SDK gives up instead of looping.
    const stuck = new ChatClient({ socketFactory: nodeSocketFactory() });
    await expect(stuck.connect(suite().gatewayUrl(), expired)).rejects.toMatchObject({ closeCode: 4002 });
  });

  it('a client that stops answering pings is disconnected (4000) and its contacts see it go offline', async () => {
    const [watcher, sleeper] = await users.registerMany(2, 'heartbeat');
    if (!watcher || !sleeper) throw new Error('registration failed');
    const w = await users.connect(watcher);
    await directBetween(w, sleeper);

    // A raw client that never pongs and never sends a frame, on the gateway with the short heartbeat.
    const silent = new RawSocket(suite().gatewayUrl(1), { token: sleeper.session.accessToken, autoPong: false });
    await silent.open();
    const openedAt = Date.now();
    await expectEventually(() => expect(w.lastPresenceOf(sleeper.userId)).toBe(true), { timeoutMs: 15_000 });

    const close = await silent.closed;
    expect(close.code).toBe(CloseCodes.heartbeat_timeout.code);
    // Idle timeout 2 s, checked at each 1 s ping round: closed after 2-3 s, allowing for scheduling.
    expect(Date.now() - openedAt).toBeGreaterThanOrEqual(2000);
    expect(Date.now() - openedAt).toBeLessThan(10_000);
    await expectEventually(() => expect(w.presence.filter((frame) => frame.userId === sleeper.userId).map((frame) => frame.online)).toEqual([true, false]), {
      timeoutMs: 15_000,
    });
  });

  it('a client that answers pings stays connected on the short-heartbeat gateway', async () => {
    const alice = await users.register('alice');
    const device = await users.connect(alice, { gateway: 1 });
    // Proving that nothing happens takes waiting: two and a half idle timeouts without sending a
    // frame, during which only ws's automatic pongs show the gateway that the client is alive.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    expect(device.client.state).toBe('ready');
    expect(device.states.map((change) => change.state)).toEqual(['connecting', 'syncing', 'ready']);
  });
});
