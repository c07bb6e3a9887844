import type { Announcement, ChatMessage, ClientFrameOf } from '@chat/wire';
import { advanceUntil } from '@chat/testing';
import { FakeChatServer, flush, randomLikeId } from '../../testing/fake-chat-server';
import { ChatClient } from './chat-client';
import type { ChatClientOptions, ConnectionStateChange } from './chat-client.types';
import { ChatRequestError, ConnectionClosedError, RequestTimeoutError } from './errors';
import type { TokenReason } from './token';

const me = randomLikeId(0xa1);
const other = randomLikeId(0xb2);
const convA = randomLikeId(0xc1);
const convB = randomLikeId(0xc2);
const URL = 'ws://chat.test/ws';

/**
 * Fake timers for the client's reconnect, request and ping timers; the fake server's microtasks and
 * flush()'s setImmediate stay real. Tests then advance the clock instead of waiting for it.
 */
const fakeClock = () => jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate', 'clearImmediate'] });

/** For advanceUntil: well past the longest delay of these tests, in fake time. */
const soon = { maxMs: 5_000 };

interface Harness {
  server: FakeChatServer;
  client: ChatClient;
  delivered: ChatMessage[];
  errors: Error[];
  states: ConnectionStateChange[];
}

const clients: ChatClient[] = [];

function harness(options: ChatClientOptions = {}): Harness {
  const server = new FakeChatServer(me);
  const client = new ChatClient({ socketFactory: server.factory, userId: me, random: () => 0.5, reconnect: { minDelayMs: 10, maxDelayMs: 80 }, ...options });
  clients.push(client);
  const h: Harness = { server, client, delivered: [], errors: [], states: [] };
  client.on('message', (message) => h.delivered.push(message));
  client.on('error', (error) => h.errors.push(error));
  client.on('state', (change) => h.states.push(change));
  return h;
}

/** Connects, opens the socket and lets the catch-up run against the fake server. */
async function connect(h: Harness, token: string | ((reason: TokenReason) => string) = 'token-1'): Promise<void> {
  const ready = h.client.connect(URL, token);
  await flush();
  h.server.latest.open();
  await ready;
}

const seqs = (messages: readonly ChatMessage[]): number[] => messages.map((m) => m.seq);

afterEach(() => {
  for (const client of clients.splice(0)) client.close();
  jest.useRealTimers();
});

describe('ChatClient requests', () => {
  it('matches each answer to its request by replyTo, whatever order the answers come in', async () => {
    const h = harness();
    h.server.addConversation(convA);
    h.server.addConversation(convB);
    await connect(h);
    const held: ClientFrameOf<'history'>[] = [];
    h.server.overrides.set('history', (frame) => held.push(frame as ClientFrameOf<'history'>) > 0);

    const first = h.client.history(convA, { limit: 10 });
    const second = h.client.history(convB, { beforeSeq: 5, limit: 20 });
    await flush();
    expect(held.map((frame) => [frame.conversationId, frame.limit, frame.beforeSeq])).toEqual([
      [convA, 10, undefined],
      [convB, 20, 5],
    ]);
    h.server.latest.push({ type: 'history_page', replyTo: held[1]?.id ?? '', conversationId: convB, messages: [], hasMore: false });
    h.server.latest.push({ type: 'history_page', replyTo: held[0]?.id ?? '', conversationId: convA, messages: [], hasMore: true });
    await expect(first).resolves.toEqual({ conversationId: convA, messages: [], hasMore: true });
    await expect(second).resolves.toEqual({ conversationId: convB, messages: [], hasMore: false });
  });

  it('rejects with the code of the error frame that answers it', async () => {
    const h = harness();
    await connect(h);
    h.server.overrides.set('open_direct', (frame, socket) => {
      socket.push({ type: 'error', replyTo: (frame as ClientFrameOf<'open_direct'>).id, code: 'not_found', message: 'no such user' });
      return true;
    });
    const failure = h.client.openDirect(other);
    await expect(failure).rejects.toBeInstanceOf(ChatRequestError);
    await expect(failure).rejects.toMatchObject({ code: 'not_found', requestType: 'open_direct' });
  });

  it('rejects with RequestTimeoutError when no answer comes in time', async () => {
    fakeClock();
    const h = harness({ requestTimeoutMs: 30 });
    await connect(h);
    h.server.answering = false;
    const listing = expect(h.client.listConversations()).rejects.toBeInstanceOf(RequestTimeoutError);
    await jest.advanceTimersByTimeAsync(30);
    await listing;
  });

  it('reports an error frame that no request waits for as an error event', async () => {
    const h = harness();
    await connect(h);
    h.server.latest.push({ type: 'error', code: 'rate_limited', message: 'slow down' });
    h.server.latest.push({ type: 'error', replyTo: 'r999', code: 'not_member', message: 'no' });
    expect(h.errors.map((error) => (error as ChatRequestError).code)).toEqual(['rate_limited', 'not_member']);
  });

  it('skips frames of unknown type and reports malformed ones', async () => {
    const h = harness();
    await connect(h);
    h.server.latest.pushRaw('{"type":"from_the_future"}');
    h.server.latest.pushRaw('not json');
    expect(h.errors).toHaveLength(1);
    expect(h.errors[0]?.message).toMatch(/JSON/);
  });

  it('rejects requests in flight when the connection drops', async () => {
    const h = harness();
    await connect(h);
    h.server.answering = false;
    const waiting = h.client.history(convA);
    await flush();
    h.server.latest.serverClose(1006, 'gone');
    await expect(waiting).rejects.toBeInstanceOf(ConnectionClosedError);
    await expect(waiting).rejects.toMatchObject({ closeCode: 1006 });
  });

  it('exposes the session frame of the current socket until it closes', async () => {
    const h = harness();
    const sessions: string[] = [];
    h.client.on('session', (frame) => sessions.push(frame.connectionId));
    await connect(h);
    const session = h.client.currentSession;
    expect(session).toMatchObject({ type: 'session', userId: me, onlineContactIds: [] });
    expect(sessions).toEqual([session?.connectionId]);
    h.server.latest.serverClose(1001, 'redeploy');
    expect(h.client.currentSession).toBeUndefined();
  });

  it('catches up once the session frame says the socket gets pushes, or after sessionWaitMs without it', async () => {
    fakeClock();
    const h = harness({ sessionWaitMs: 3_000 });
    h.server.sendsSessionFrames = false;
    const ready = h.client.connect(URL, 'token-1');
    await flush();
    h.server.latest.open();
    await jest.advanceTimersByTimeAsync(2_000);
    // Registered for pushes? Not known yet: catching up now could miss what is stored meanwhile.
    expect(h.server.latest.sentOf('list_conversations')).toEqual([]);
    h.server.latest.push(h.server.sessionFrame());
    await ready;
    expect(h.server.latest.sentOf('list_conversations')).toHaveLength(1);

    // No router, no session frame: the client catches up anyway after the wait.
    h.server.latest.serverClose(1001, 'redeploy');
    await advanceUntil(() => expect(h.server.sockets).toHaveLength(2), soon);
    h.server.latest.open();
    await jest.advanceTimersByTimeAsync(2_999);
    expect(h.server.latest.sentOf('list_conversations')).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    await advanceUntil(() => expect(h.server.latest.sentOf('list_conversations')).toHaveLength(1), soon);
    expect(h.client.state).toBe('ready');
  });

  it('resolves add_members with the conversation answer; member_added pushes are events', async () => {
    const h = harness();
    await connect(h);
    h.server.overrides.set('add_members', (frame, socket) => {
      socket.push({ type: 'member_added', conversationId: convA, userIds: [other], by: me });
      const replyTo = (frame as ClientFrameOf<'add_members'>).id;
      socket.push({ type: 'conversation', replyTo, conversationId: convA, kind: 'group', title: 'T', memberIds: [me, other], ownerId: me, adminIds: [], lastSeq: 0, unread: 0 });
      return true;
    });
    const added: string[][] = [];
    h.client.on('memberAdded', (frame) => added.push(frame.userIds));
    await expect(h.client.addMembers(convA, [other])).resolves.toMatchObject({ conversationId: convA, memberIds: [me, other] });
    expect(added).toEqual([[other]]);
    expect(h.client.conversation(convA).summary?.memberIds).toEqual([me, other]);
  });
});

describe('ChatClient announcements', () => {
  const announcement = (id: number, expiresInMs = 3_600_000, body = `news ${id}`): Announcement => {
    const sentAt = Date.now() - 10;
    return { announcementId: randomLikeId(0xd0 + id), senderId: other, body, sentAt, expiresAt: sentAt + expiresInMs };
  };

  it('announce sends the body, expiry and an idempotency key, and resolves with the stored announcement', async () => {
    const h = harness();
    await connect(h);
    const sent: Array<ClientFrameOf<'announce'>> = [];
    const stored = announcement(1, 600_000, 'Maintenance at 22:00');
    h.server.overrides.set('announce', (frame, socket) => {
      sent.push(frame as ClientFrameOf<'announce'>);
      socket.push({ type: 'announcement', replyTo: (frame as ClientFrameOf<'announce'>).id, ...stored });
      return true;
    });
    await expect(h.client.announce('Maintenance at 22:00', { expiresInSeconds: 600, clientAnnouncementId: 'maint-1' })).resolves.toEqual(stored);
    expect(sent).toEqual([{ type: 'announce', id: expect.any(String), body: 'Maintenance at 22:00', expiresInSeconds: 600, clientAnnouncementId: 'maint-1' }]);
    // Without options: the server's default expiry and a fresh key.
    await h.client.announce('Welcome');
    expect(sent[1]).toMatchObject({ body: 'Welcome', expiresInSeconds: 86_400, clientAnnouncementId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  });

  it('rejects a non-administrator with forbidden', async () => {
    const h = harness();
    await connect(h);
    h.server.overrides.set('announce', (frame, socket) => {
      socket.push({ type: 'error', replyTo: (frame as ClientFrameOf<'announce'>).id, code: 'forbidden', message: 'only administrators may send announcements' });
      return true;
    });
    await expect(h.client.announce('hello all')).rejects.toMatchObject({ code: 'forbidden', requestType: 'announce' });
  });

  it('tells the app of each current announcement once, whether pushed live or again on connect, and lists the current ones', async () => {
    const h = harness();
    await connect(h);
    const heard: string[] = [];
    h.client.on('announcement', (item) => heard.push(item.body));
    const [first, second] = [announcement(1), announcement(2)];
    h.server.latest.push({ type: 'announcement', ...first });
    h.server.latest.push({ type: 'announcement', ...first });
    h.server.latest.push({ type: 'announcement', ...second });
    h.server.latest.push({ type: 'announcement', ...announcement(3, -1, 'expired') });
    expect(heard).toEqual(['news 1', 'news 2']);
    expect(h.client.announcements().map((item) => item.announcementId)).toEqual([first.announcementId, second.announcementId]);
    expect(h.client.announcements(first.expiresAt)).toEqual([]);
  });
});

describe('ChatClient ordering and dedupe', () => {
  it('delivers a message that arrives twice (live and again through sync) to the app once', async () => {
    const h = harness();
    h.server.addConversation(convA);
    await connect(h);
    const first = h.server.store(convA, 'hi');
    h.server.latest.push({ type: 'message', ...first });
    await h.client.sync([{ conversationId: convA, afterSeq: 0 }]);
    h.server.latest.push({ type: 'message', ...first });
    expect(seqs(h.delivered)).toEqual([1]);
    expect(h.client.stats.duplicatesDropped).toBe(2);
  });

  it('puts messages that arrive in reverse order back in seq order', async () => {
    const h = harness();
    h.server.addConversation(convA);
    await connect(h);
    h.server.answering = false;
    const messages = [1, 2, 3].map((n) => h.server.store(convA, `m${n}`));
    for (const message of [...messages].reverse()) h.server.latest.push({ type: 'message', ...message });
    expect(seqs(h.delivered)).toEqual([1, 2, 3]);
    expect(h.client.conversation(convA).lastSeq).toBe(3);
  });

  it('fills a gap with one sync from the last contiguous seq and delivers everything once, in order', async () => {
    fakeClock();
    const h = harness();
    h.server.addConversation(convA);
    await connect(h);
    const messages = [1, 2, 3, 4, 5].map((n) => h.server.store(convA, `m${n}`));
    const syncsBefore = h.server.latest.sentOf('sync').length;
    h.server.latest.push({ type: 'message', ...messages[0] } as never);
    h.server.latest.push({ type: 'message', ...messages[3] } as never);
    h.server.latest.push({ type: 'message', ...messages[4] } as never);
    await advanceUntil(() => expect(h.delivered).toHaveLength(5), soon);
    const syncs = h.server.latest.sentOf('sync').slice(syncsBefore);
    expect(syncs.map((frame) => frame.conversations)).toEqual([[{ conversationId: convA, afterSeq: 1 }]]);
    expect(seqs(h.delivered)).toEqual([1, 2, 3, 4, 5]);
    expect(h.delivered.map((m) => m.body)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    expect(h.client.stats.gapFills).toBe(1);
  });

  it('keeps syncing from the new lastSeq while the server caps each sync', async () => {
    fakeClock();
    const h = harness();
    h.server.addConversation(convA);
    await connect(h);
    h.server.syncCap = 2;
    const messages = Array.from({ length: 7 }, (_, i) => h.server.store(convA, `m${i + 1}`));
    const syncsBefore = h.server.latest.sentOf('sync').length;
    h.server.latest.push({ type: 'message', ...messages[6] } as never);
    await advanceUntil(() => expect(h.delivered).toHaveLength(7), soon);
    const cursors = h.server.latest.sentOf('sync').slice(syncsBefore).map((frame) => frame.conversations[0]?.afterSeq);
    // The third sync brings 5 and 6, which unblock the buffered 7: no fourth sync is needed.
    expect(cursors).toEqual([0, 2, 4]);
    expect(seqs(h.delivered)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('keeps syncing while the cap serves the conversations one after another, without giving up on the later ones', async () => {
    const h = harness();
    const conversations = [convA, convB, randomLikeId(0xc3)];
    for (const id of conversations) h.server.addConversation(id);
    for (const id of conversations) for (const n of [1, 2, 3]) h.server.store(id, `${id.slice(0, 4)}-${n}`);
    h.server.syncCap = 2;
    await connect(h);
    for (const id of conversations) expect(seqs(h.delivered.filter((m) => m.conversationId === id))).toEqual([1, 2, 3]);
    expect(h.errors).toEqual([]);
    expect(h.server.latest.sentOf('sync')).toHaveLength(5);
  });

  it('keeps the messages of each conversation apart', async () => {
    const h = harness();
    h.server.addConversation(convA);
    h.server.addConversation(convB);
    await connect(h);
    for (const [conversationId, body] of [[convA, 'a1'], [convB, 'b1'], [convA, 'a2']] as const) {
      h.server.latest.push({ type: 'message', ...h.server.store(conversationId, body) });
    }
    expect(h.client.conversation(convA).messages.map((m) => m.body)).toEqual(['a1', 'a2']);
    expect(h.client.conversation(convB).messages.map((m) => [m.seq, m.body])).toEqual([[1, 'b1']]);
  });
});

describe('ChatClient sending', () => {
  it('resolves send on accepted and sendAndWaitStored on the stored message with its seq', async () => {
    const h = harness();
    h.server.addConversation(convA);
    await connect(h);
    await expect(h.client.send(convA, 'first', { clientMsgId: 'c-1' })).resolves.toMatchObject({ conversationId: convA, clientMsgId: 'c-1' });
    const stored = await h.client.sendAndWaitStored(convA, 'second');
    expect(stored).toMatchObject({ seq: 2, body: 'second', senderId: me });
    expect(h.delivered.map((m) => m.body)).toEqual(['first', 'second']);
  });

  it('resolves a resend of a stored clientMsgId from the seq in accepted', async () => {
    const h = harness();
    h.server.addConversation(convA);
    await connect(h);
    const original = await h.client.sendAndWaitStored(convA, 'once', { clientMsgId: 'same' });
    // The real server answers a known clientMsgId with its seq and may not push the message again.
    h.server.overrides.set('send', (frame, socket) => {
      const send = frame as ClientFrameOf<'send'>;
      socket.push({ type: 'accepted', replyTo: send.id, conversationId: send.conversationId, clientMsgId: send.clientMsgId, seq: original.seq });
      return true;
    });
    await expect(h.client.sendAndWaitStored(convA, 'once', { clientMsgId: 'same' })).resolves.toEqual(original);
    expect(h.server.messages(convA)).toHaveLength(1);
  });

  it('rejects a send the server refuses, e.g. not_member', async () => {
    const h = harness();
    await connect(h);
    h.server.overrides.set('send', (frame, socket) => {
      socket.push({ type: 'error', replyTo: (frame as ClientFrameOf<'send'>).id, code: 'not_member', message: 'not a member' });
      return true;
    });
    await expect(h.client.send(convA, 'hello')).rejects.toMatchObject({ code: 'not_member' });
  });

  it('fails the stored wait when persistence refuses a send after it was accepted', async () => {
    const h = harness();
    await connect(h);
    h.server.overrides.set('send', (frame, socket) => {
      const send = frame as ClientFrameOf<'send'>;
      socket.push({ type: 'accepted', replyTo: send.id, conversationId: send.conversationId, clientMsgId: send.clientMsgId });
      socket.push({ type: 'error', replyTo: send.id, code: 'not_member', message: 'not a member' });
      return true;
    });
    await expect(h.client.sendAndWaitStored(convA, 'hello')).rejects.toMatchObject({ code: 'not_member', requestType: 'send' });
    expect(h.errors.map((error) => (error as ChatRequestError).code)).toEqual(['not_member']);
  });

  it('fails a pending send that persistence gave up on (not_stored after accepted), for that request, and never resends it', async () => {
    const h = harness();
    await connect(h);
    h.server.overrides.set('send', (frame, socket) => {
      const send = frame as ClientFrameOf<'send'>;
      socket.push({ type: 'accepted', replyTo: send.id, conversationId: send.conversationId, clientMsgId: send.clientMsgId });
      socket.push({ type: 'error', replyTo: send.id, code: 'not_stored', message: `message ${send.clientMsgId} was not stored` });
      return true;
    });
    const storing = h.client.sendAndWaitStored(convA, 'doomed', { clientMsgId: 'd-1' });
    await expect(storing).rejects.toMatchObject({ code: 'not_stored', requestType: 'send', requestId: h.server.latest.sentOf('send')[0]?.id });
    // Out of the outbox, which is what a reconnect sends again; and not retried on this connection either.
    await expect(h.client.waitForStored(convA, 'd-1')).rejects.toThrow(/no send of d-1/);
    await flush();
    expect(h.server.latest.sentOf('send')).toHaveLength(1);
    expect(h.errors.map((error) => (error as ChatRequestError).code)).toEqual(['not_stored']);
  });

  it('resends with the same clientMsgId after unavailable or rate_limited, with backoff', async () => {
    // Fake timers (the fake server's microtasks and flush()'s setImmediate stay real): the 2 s
    // rate_limited backoff is advanced, not waited for.
    fakeClock();
    const h = harness({ random: () => 0 });
    h.server.addConversation(convA);
    await connect(h);
    const refusals = ['unavailable', 'rate_limited'] as const;
    h.server.overrides.set('send', (frame, socket) => {
      const code = refusals[h.server.latest.sentOf('send').length - 1];
      if (!code) return false;
      socket.push({ type: 'error', replyTo: (frame as ClientFrameOf<'send'>).id, code, message: 'try later' });
      return true;
    });
    const storing = h.client.sendAndWaitStored(convA, 'persistent', { clientMsgId: 'p-1' });
    // With random 0: unavailable is retried at once; rate_limited waits half the raised ceiling (250·2⁴ / 2 = 2 s).
    await jest.advanceTimersByTimeAsync(0);
    expect(h.server.latest.sentOf('send')).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(1999);
    expect(h.server.latest.sentOf('send')).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(1);
    const stored = await storing;
    expect(stored.seq).toBe(1);
    expect(h.server.latest.sentOf('send').map((frame) => frame.clientMsgId)).toEqual(['p-1', 'p-1', 'p-1']);
    expect(h.client.stats.resends).toBe(2);
  });

  it('gives up after maxSendAttempts', async () => {
    const h = harness({ random: () => 0, maxSendAttempts: 2 });
    await connect(h);
    h.server.overrides.set('send', (frame, socket) => {
      socket.push({ type: 'error', replyTo: (frame as ClientFrameOf<'send'>).id, code: 'unavailable', message: 'kafka slow' });
      return true;
    });
    await expect(h.client.send(convA, 'doomed')).rejects.toMatchObject({ code: 'unavailable' });
    expect(h.server.latest.sentOf('send')).toHaveLength(2);
  });

  it('refuses an invalid body before sending anything', async () => {
    const h = harness();
    await connect(h);
    await expect(h.client.send(convA, '   ')).rejects.toThrow(/body/);
    expect(h.server.latest.sentOf('send')).toEqual([]);
  });
});

describe('ChatClient connecting and catching up', () => {
  it('lists conversations on connect and syncs those with news from their start', async () => {
    const h = harness();
    h.server.addConversation(convA);
    h.server.addConversation(convB);
    for (const n of [1, 2, 3]) h.server.store(convA, `m${n}`);
    const synced: unknown[] = [];
    h.client.on('synced', (event) => synced.push(event));
    await connect(h);
    const socket = h.server.latest;
    expect(socket.request.token).toBe('token-1');
    expect(socket.sent.map((frame) => frame.type)).toEqual(['list_conversations', 'sync']);
    expect(socket.sentOf('sync')[0]?.conversations).toEqual([{ conversationId: convA, afterSeq: 0 }]);
    expect(seqs(h.delivered)).toEqual([1, 2, 3]);
    expect(h.client.state).toBe('ready');
    expect(synced).toEqual([{ conversations: 2, reconnected: false }]);
    expect(h.states.map((change) => change.state)).toEqual(['connecting', 'syncing', 'ready']);
  });

  it('with newConversations "latest", starts new conversations at their current seq', async () => {
    const h = harness({ newConversations: 'latest' });
    h.server.addConversation(convA);
    for (const n of [1, 2, 3]) h.server.store(convA, `m${n}`);
    await connect(h);
    expect(h.server.latest.sentOf('sync')).toEqual([]);
    h.server.latest.push({ type: 'message', ...h.server.store(convA, 'new') });
    expect(seqs(h.delivered)).toEqual([4]);
  });

  it('after a reconnect, resends unacknowledged sends with the same clientMsgId and syncs from the last contiguous seq', async () => {
    fakeClock();
    const h = harness();
    h.server.addConversation(convA);
    h.server.store(convA, 'm1');
    h.server.store(convA, 'm2');
    await connect(h);
    expect(seqs(h.delivered)).toEqual([1, 2]);

    h.server.answering = false;
    const sending = h.client.sendAndWaitStored(convA, 'while flaky', { clientMsgId: 'c-flaky' });
    await flush();
    expect(h.server.latest.sentOf('send').map((frame) => frame.clientMsgId)).toEqual(['c-flaky']);
    h.server.store(convA, 'm3 (missed while offline)');
    h.server.latest.serverClose(1001, 'restarting');
    expect(h.client.state).toBe('reconnecting');

    h.server.answering = true;
    await advanceUntil(() => expect(h.server.sockets).toHaveLength(2), soon);
    h.server.latest.open();
    const stored = await sending;
    await advanceUntil(() => expect(h.client.state).toBe('ready'), soon);

    const resent = h.server.latest.sentOf('send');
    expect(resent.map((frame) => [frame.clientMsgId, frame.body])).toEqual([['c-flaky', 'while flaky']]);
    expect(h.server.latest.sentOf('sync').flatMap((frame) => frame.conversations)[0]).toEqual({ conversationId: convA, afterSeq: 2 });
    expect(stored.seq).toBe(4);
    expect(h.delivered.map((m) => m.body)).toEqual(['m1', 'm2', 'm3 (missed while offline)', 'while flaky']);
    expect(h.server.messages(convA)).toHaveLength(4);
    expect(h.client.stats.resends).toBe(1);
  });

  it('queues sends made while reconnecting and sends them once connected', async () => {
    fakeClock();
    const h = harness();
    h.server.addConversation(convA);
    await connect(h);
    h.server.latest.serverClose(1006);
    const sending = h.client.send(convA, 'queued');
    await advanceUntil(() => expect(h.server.sockets).toHaveLength(2), soon);
    h.server.latest.open();
    await expect(sending).resolves.toMatchObject({ conversationId: convA });
  });

  it.each([
    [4001, 'unauthorized'],
    [4003, 'forbidden_origin'],
    [4008, 'policy_violation'],
    [4004, 'session_revoked'],
    [4009, 'too_many_connections'],
    [1000, 'normal'],
  ])('stops for good on close %i (%s) and rejects connect', async (code, name) => {
    // Fake timers (the fake server's microtasks and flush()'s setImmediate stay real), so "no
    // reconnect" is checked by advancing the clock, not by sleeping.
    fakeClock();
    const h = harness();
    h.server.answering = false;
    const connecting = h.client.connect(URL, 'bad-token');
    await flush();
    h.server.latest.open();
    h.server.latest.serverClose(code, name);
    await expect(connecting).rejects.toBeInstanceOf(ConnectionClosedError);
    await expect(connecting).rejects.toMatchObject({ closeCode: code, closeName: name });
    expect(h.client.state).toBe('closed');
    // Well past the longest reconnect delay (maxDelayMs 80): no second socket, and nothing left scheduled.
    await jest.advanceTimersByTimeAsync(1000);
    expect(h.server.sockets).toHaveLength(1);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('on 4002 token_expired asks the token provider for a fresh token and reconnects', async () => {
    fakeClock();
    const h = harness();
    const reasons: TokenReason[] = [];
    const provider = (reason: TokenReason): string => {
      reasons.push(reason);
      return reason === 'expired' ? 'fresh-token' : 'stale-token';
    };
    const ready = h.client.connect(URL, provider);
    await flush();
    h.server.latest.open();
    h.server.latest.serverClose(4002, 'token_expired');
    await advanceUntil(() => expect(h.server.sockets).toHaveLength(2), soon);
    expect(h.server.latest.request.token).toBe('fresh-token');
    h.server.latest.open();
    await ready;
    expect(reasons).toEqual(['connect', 'expired']);
  });

  it('gives up when the refreshed token is refused as expired too', async () => {
    fakeClock();
    const h = harness();
    const ready = h.client.connect(URL, () => 'always-expired');
    for (let attempt = 0; attempt < 2; attempt++) {
      await advanceUntil(() => expect(h.server.sockets).toHaveLength(attempt + 1), soon);
      h.server.latest.open();
      h.server.latest.serverClose(4002, 'token_expired');
    }
    await expect(ready).rejects.toMatchObject({ closeCode: 4002 });
    expect(h.client.state).toBe('closed');
  });

  it('backs off exponentially with full jitter, and starts over after a successful session', async () => {
    fakeClock();
    const h = harness({ random: () => 0.9999, reconnect: { minDelayMs: 4, maxDelayMs: 40 } });
    const ready = h.client.connect(URL, 'token');
    for (let attempt = 1; attempt <= 6; attempt++) {
      await advanceUntil(() => expect(h.server.sockets).toHaveLength(attempt), soon);
      h.server.latest.serverClose(1006);
    }
    await advanceUntil(() => expect(h.server.sockets).toHaveLength(7), soon);
    h.server.latest.open();
    await ready;
    h.server.latest.serverClose(1011, 'oops');
    await advanceUntil(() => expect(h.server.sockets).toHaveLength(8), soon);
    const delays = h.states.filter((change) => change.state === 'reconnecting').map((change) => change.delayMs);
    expect(delays).toEqual([3, 7, 15, 31, 39, 39, 3]);
    expect(h.client.stats.reconnects).toBe(7);
  });

  it('stays away longer when the server is full (1013)', async () => {
    const h = harness({ random: () => 0, reconnect: { minDelayMs: 10, maxDelayMs: 1000 } });
    void h.client.connect(URL, 'token').catch(() => undefined);
    await flush();
    h.server.latest.serverClose(1013, 'full');
    expect(h.states.at(-1)).toMatchObject({ state: 'reconnecting', closeCode: 1013, delayMs: 40 });
    h.client.close();
  });

  it('stays away longer after a slow-consumer close (4005): the gateway is shedding backlogs to save memory', async () => {
    const h = harness({ random: () => 0, reconnect: { minDelayMs: 10, maxDelayMs: 1000 } });
    void h.client.connect(URL, 'token').catch(() => undefined);
    await flush();
    h.server.latest.serverClose(4005, 'server send buffers full; reconnect and sync');
    expect(h.states.at(-1)).toMatchObject({ state: 'reconnecting', closeCode: 4005, delayMs: 40 });
    h.client.close();
  });

  it('close() ends the session: no reconnect, pending sends rejected, local state kept for the next connect', async () => {
    const h = harness();
    h.server.addConversation(convA);
    h.server.store(convA, 'm1');
    await connect(h);
    h.server.answering = false;
    const sending = h.client.send(convA, 'never answered');
    h.client.close();
    await expect(sending).rejects.toBeInstanceOf(ConnectionClosedError);
    expect(h.client.state).toBe('closed');
    expect(h.server.sockets[0]?.closedByClient).toEqual({ code: 1000, reason: 'client closed' });

    h.server.answering = true;
    h.server.store(convA, 'm2');
    await connect(h);
    expect(h.server.latest.sentOf('sync')[0]?.conversations).toEqual([{ conversationId: convA, afterSeq: 1 }]);
    expect(h.delivered.map((m) => m.body)).toEqual(['m1', 'm2']);
  });

  it('rejects connect after connectTimeoutMs and closes', async () => {
    fakeClock();
    const h = harness({ connectTimeoutMs: 50 });
    h.server.answering = false;
    const connecting = h.client.connect(URL, 'token');
    await flush();
    h.server.latest.open();
    const refused = expect(connecting).rejects.toThrow(/not connected within 50 ms/);
    await jest.advanceTimersByTimeAsync(50);
    await refused;
    expect(h.client.state).toBe('closed');
  });

  it('never syncs a conversation it was removed from', async () => {
    const h = harness();
    h.server.addConversation(convA);
    await connect(h);
    h.server.latest.push({ type: 'member_removed', conversationId: convA, userId: me, by: other });
    h.server.store(convA, 'm1');
    h.server.latest.push({ type: 'message', ...h.server.store(convA, 'm2') });
    await flush();
    expect(h.server.latest.sentOf('sync')).toEqual([]);
  });

  it('with pingIntervalMs, reconnects when a pong does not come', async () => {
    fakeClock();
    const h = harness({ pingIntervalMs: 20, requestTimeoutMs: 30 });
    await connect(h);
    await advanceUntil(() => expect(h.server.latest.sentOf('ping')).not.toHaveLength(0), soon);
    h.server.answering = false;
    await advanceUntil(() => expect(h.server.sockets).toHaveLength(2), soon);
    expect(h.server.sockets[0]?.closedByClient).toEqual({ code: 4000, reason: 'no pong' });
    expect(h.states.some((change) => change.state === 'reconnecting' && change.closeCode === 4000)).toBe(true);
  });

  it('reconnect() drops a socket that still looks open and connects again at once, resending what was not stored', async () => {
    fakeClock();
    const h = harness({ reconnect: { minDelayMs: 60_000, maxDelayMs: 60_000 } });
    h.server.addConversation(convA);
    await connect(h);
    h.server.answering = false;
    const sending = h.client.sendAndWaitStored(convA, 'over a dead network', { clientMsgId: 'c-dead' });
    await flush();

    h.client.reconnect();
    expect(h.server.sockets[0]?.closedByClient).toEqual({ code: 1000, reason: 'reconnecting' });
    expect(h.client.state).toBe('connecting');
    // No backoff wait (a minute here): the second socket is asked for at once.
    await flush();
    expect(h.server.sockets).toHaveLength(2);
    h.server.answering = true;
    h.server.latest.open();
    await expect(sending).resolves.toMatchObject({ body: 'over a dead network', seq: 1 });
    await advanceUntil(() => expect(h.client.state).toBe('ready'), soon);
    expect(h.server.messages(convA)).toHaveLength(1);
    expect(h.states.some((change) => change.state === 'reconnecting' && change.delayMs === 0)).toBe(true);
  });

  it('reconnect() while waiting out the backoff connects at once, and does nothing before connect or after close', async () => {
    fakeClock();
    const h = harness({ reconnect: { minDelayMs: 60_000, maxDelayMs: 60_000 } });
    h.client.reconnect();
    expect(h.client.state).toBe('idle');
    await connect(h);
    h.server.latest.serverClose(1006);
    expect(h.client.state).toBe('reconnecting');
    h.client.reconnect();
    await flush();
    expect(h.server.sockets).toHaveLength(2);
    h.server.latest.open();
    await advanceUntil(() => expect(h.client.state).toBe('ready'), soon);

    h.client.close();
    h.client.reconnect();
    await flush();
    expect(h.client.state).toBe('closed');
    expect(h.server.sockets).toHaveLength(2);
  });

  it('reads its user id from the access token when not given', async () => {
    const server = new FakeChatServer(me);
    const client = new ChatClient({ socketFactory: server.factory });
    const payload = Buffer.from(JSON.stringify({ sub: me, username: 'ann' })).toString('base64url');
    const ready = client.connect(URL, `header.${payload}.signature`);
    await flush();
    server.latest.open();
    await ready;
    expect(client.userId).toBe(me);
    client.close();
  });

  it('opens sockets with the global WebSocket by default, and says what to pass where there is none', () => {
    const globals = globalThis as { WebSocket?: unknown };
    const original = globals.WebSocket;
    const opened: [string, string[]][] = [];
    try {
      delete globals.WebSocket;
      expect(() => new ChatClient()).toThrow("pass { socketFactory: nodeSocketFactory() } from '@chat/client-sdk/node'");
      globals.WebSocket = class {
        binaryType = '';
        onopen = null;
        onmessage = null;
        onclose = null;
        onerror = null;
        constructor(url: string, protocols: string[]) {
          opened.push([url, protocols]);
        }
        send = (): void => undefined;
        close = (): void => undefined;
      };
      void new ChatClient({ reconnect: false, connectTimeoutMs: 0 }).connect(URL, 'tok-global').catch(() => undefined);
      expect(opened).toEqual([[URL, ['chat.v1.json', 'chat.auth.tok-global']]]);
    } finally {
      globals.WebSocket = original;
    }
  });
});

describe('ChatClient groups', () => {
  const third = randomLikeId(0xb3);

  /** Answers rename_group, set_member_role and transfer_ownership like a server would, from `group`. */
  function answerGroupRequests(h: Harness, group: { title: string; ownerId: string; adminIds: string[] }): ClientFrameOf<'rename_group' | 'set_member_role' | 'transfer_ownership'>[] {
    const seen: ClientFrameOf<'rename_group' | 'set_member_role' | 'transfer_ownership'>[] = [];
    const answer = (frame: ClientFrameOf<'rename_group' | 'set_member_role' | 'transfer_ownership'>, socket: typeof h.server.latest) => {
      seen.push(frame);
      if (frame.type === 'rename_group') group.title = frame.title;
      if (frame.type === 'set_member_role') group.adminIds = frame.role === 'admin' ? [frame.userId] : [];
      if (frame.type === 'transfer_ownership') [group.ownerId, group.adminIds] = [frame.userId, [me]];
      socket.push({ type: 'conversation', replyTo: frame.id, conversationId: convA, kind: 'group', memberIds: [me, other, third], ...group, lastSeq: 0, unread: 0 });
      return true;
    };
    for (const type of ['rename_group', 'set_member_role', 'transfer_ownership'] as const) {
      h.server.overrides.set(type, (frame, socket) => answer(frame as ClientFrameOf<typeof type>, socket));
    }
    return seen;
  }

  it('renames, makes admins and hands a group over, resolving with the group after each change', async () => {
    const h = harness();
    h.server.addConversation(convA, [me, other, third]);
    await connect(h);
    const seen = answerGroupRequests(h, { title: 'Test', ownerId: me, adminIds: [] });

    await expect(h.client.renameGroup(convA, 'Climbing')).resolves.toMatchObject({ title: 'Climbing', ownerId: me });
    await expect(h.client.setMemberRole(convA, other, 'admin')).resolves.toMatchObject({ adminIds: [other] });
    await expect(h.client.transferOwnership(convA, third)).resolves.toMatchObject({ ownerId: third, adminIds: [me] });
    expect(seen.map(({ id: _id, ...frame }) => frame)).toEqual([
      { type: 'rename_group', conversationId: convA, title: 'Climbing' },
      { type: 'set_member_role', conversationId: convA, userId: other, role: 'admin' },
      { type: 'transfer_ownership', conversationId: convA, userId: third },
    ]);
    expect(h.client.conversation(convA).summary).toMatchObject({ title: 'Climbing', ownerId: third, adminIds: [me] });
  });

  it('keeps the title and roles current from pushed changes, and tells the app', async () => {
    const h = harness();
    h.server.addConversation(convA, [me, other, third]);
    await connect(h);
    const updates: string[] = [];
    h.client.on('groupUpdated', (frame) => updates.push(`${frame.changed.join()} by ${frame.by}`));

    h.server.latest.push({ type: 'group_updated', conversationId: convA, title: 'Renamed', ownerId: me, adminIds: [other], changed: ['title'], by: other });
    expect(h.client.conversation(convA).summary).toMatchObject({ title: 'Renamed', ownerId: me, adminIds: [other] });
    h.server.latest.push({ type: 'member_removed', conversationId: convA, userId: other, by: me });
    expect(h.client.conversation(convA).summary).toMatchObject({ memberIds: [me, third], adminIds: [] });
    expect(updates).toEqual([`title by ${other}`]);
  });

  it('rejects a change it may not make with the forbidden error naming the role needed', async () => {
    const h = harness();
    h.server.addConversation(convA, [other, me]);
    await connect(h);
    h.server.overrides.set('rename_group', (frame, socket) => {
      socket.push({ type: 'error', replyTo: (frame as ClientFrameOf<'rename_group'>).id, code: 'forbidden', message: "only the group's owner or admins may rename the group; you are a member" });
      return true;
    });
    await expect(h.client.renameGroup(convA, 'Mine')).rejects.toMatchObject({ code: 'forbidden', requestType: 'rename_group', message: expect.stringContaining('owner or admins') });
    expect(h.client.conversation(convA).summary?.title).toBe('Test');
  });
});
