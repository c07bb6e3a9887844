import { AuthClient, AuthSession } from '@chat/client-sdk';
import { CloseCodes, type ServerFrameOf } from '@chat/protocol';
import { expectEventually } from '@chat/testing';
import { RawSocket } from './support/chat-raw-socket';
import { useChatSuite } from './support/chat-suite';
import { closeCodeOf, type TestDevice, type TestUser, useChatUsers } from './support/chat-users';

/*
 * Sessions as a user sees them, on two gateways: the `session` frame that says a socket is
 * registered for pushes, and the end of a session (logout, log out everywhere, a reused refresh
 * token) closing its sockets on every gateway with 4004 while the user's other sessions stay.
 */

const suite = useChatSuite({ label: 'sessions', gateways: [{}, {}] });
const users = useChatUsers(suite);

function sessionFrameOf(device: TestDevice): ServerFrameOf<'session'> {
  const frame = device.frames.find((candidate): candidate is ServerFrameOf<'session'> => candidate.type === 'session');
  if (!frame) throw new Error(`no session frame yet among ${device.frames.map((f) => f.type).join(', ')}`);
  return frame;
}

/** A second login of the same user: another session (another refresh-token family). */
async function loginAgain(user: TestUser): Promise<TestUser> {
  return { ...user, session: await AuthSession.login(new AuthClient(suite().authUrl), user.username, user.password) };
}

describe('sessions, end to end', () => {
  it('opens every socket with a session frame: its id, heartbeat, limits and the contacts online', async () => {
    const [alice, bob, carol] = await users.registerMany(3, 'sess');
    if (!alice || !bob || !carol) throw new Error('registration failed');
    const a = await users.connect(alice);
    const conversation = await a.client.createGroup('team', [bob.userId, carol.userId]);
    await users.connect(bob, { gateway: 1 });

    const again = await users.connect(alice, { gateway: 1 });
    const session = await expectEventually(() => sessionFrameOf(again));
    expect(session).toEqual({
      type: 'session',
      userId: alice.userId,
      connectionId: expect.any(String),
      sessionId: expect.any(String),
      heartbeatIntervalMs: 15_000,
      idleTimeoutMs: 30_000,
      limits: { maxFrameBytes: 65_536, framesPerSecond: 20, frameBurst: 40, maxConnectionsPerUser: 20 },
      // Bob is online (on the other gateway), carol is not.
      onlineContactIds: [bob.userId],
    });
    expect(again.client.currentSession).toEqual(session);
    // The first device had its own session frame, on its own socket, in the same login session.
    const first = sessionFrameOf(a);
    expect(first.connectionId).not.toBe(session.connectionId);
    expect(first.sessionId).toBe(session.sessionId);

    // Pushes reach the new socket from then on.
    await a.client.sendAndWaitStored(conversation.conversationId, 'after the session frame');
    await expectEventually(() => expect(again.seen(conversation.conversationId)).toEqual([[1, 'after the session frame']]));
  });

  it('logout closes the sockets of that session on both gateways with 4004 and refuses its token; another session stays', async () => {
    const alice = await users.register('logout');
    const phone = [await users.connect(alice), await users.connect(alice, { gateway: 1 })];
    const laptopLogin = await loginAgain(alice);
    const laptop = await users.connect(laptopLogin, { gateway: 1 });
    const oldToken = await alice.session.validAccessToken();

    const loggedOutAt = Date.now();
    await alice.session.logout();
    for (const device of phone) await expectEventually(() => expect(closeCodeOf(device)).toBe(CloseCodes.session_revoked.code));
    console.log(`sockets of a logged-out session closed ${Date.now() - loggedOutAt} ms after logout answered on two gateways`);
    // The SDK does not reconnect after 4004.
    for (const device of phone) expect(device.client.state).toBe('closed');

    expect(laptop.client.state).toBe('ready');
    expect(await laptop.client.ping()).toBeGreaterThanOrEqual(0);
    for (const gateway of [0, 1]) {
      const refused = await new RawSocket(suite().gatewayUrl(gateway), { token: oldToken }).closed;
      expect(refused).toMatchObject({ code: CloseCodes.session_revoked.code, opened: true });
    }
    // A new login connects again.
    const back = await users.connect(await loginAgain(alice));
    expect(back.client.state).toBe('ready');
  });

  it('log out everywhere closes every session of the user, on both gateways', async () => {
    const alice = await users.register('everywhere');
    const bob = await users.register('bystander');
    const otherLogin = await loginAgain(alice);
    const devices = [await users.connect(alice), await users.connect(otherLogin, { gateway: 1 })];
    const bystander = await users.connect(bob, { gateway: 1 });

    await alice.session.logoutEverywhere();
    for (const device of devices) await expectEventually(() => expect(closeCodeOf(device)).toBe(CloseCodes.session_revoked.code));
    expect(bystander.client.state).toBe('ready');
    await expect(otherLogin.session.refresh()).rejects.toMatchObject({ status: 401, code: 'invalid_refresh_token' });
  });

  it('a reused refresh token ends the session: its sockets close with 4004', async () => {
    const alice = await users.register('reuse');
    const device = await users.connect(alice, { gateway: 1 });
    const auth = new AuthClient(suite().authUrl);
    const login = await auth.login(alice.username, alice.password);
    const otherSession = await users.connect({ ...alice, session: await AuthSession.login(auth, alice.username, alice.password) });
    const victim = await users.connect({ ...alice, session: new AuthSession(auth, login) });

    // The refresh token is used twice: the second use is a replay, and the whole session ends.
    await auth.refresh(login.refreshToken);
    await expect(auth.refresh(login.refreshToken)).rejects.toMatchObject({ code: 'refresh_token_reused' });
    await expectEventually(() => expect(closeCodeOf(victim)).toBe(CloseCodes.session_revoked.code));
    expect(device.client.state).toBe('ready');
    expect(otherSession.client.state).toBe('ready');
  });
});
