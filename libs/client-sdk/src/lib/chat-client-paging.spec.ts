import type { ClientFrameOf, ConversationSummary } from '@chat/wire';
import { FakeChatServer, flush, randomLikeId } from '../../testing/fake-chat-server';
import { ChatClient } from './chat-client';

/* list_conversations pages: the server answers at most `limit` with a `nextCursor`, and the client follows it. */

const me = randomLikeId(0xa2);
const TOTAL = 1234;
const all: ConversationSummary[] = Array.from({ length: TOTAL }, (_, i) => ({ conversationId: randomLikeId(0x1000 + i), kind: 'direct', memberIds: [me, randomLikeId(0x9000 + i)], lastSeq: 0, unread: 0 }));

const clients: ChatClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

async function connected(): Promise<{ server: FakeChatServer; client: ChatClient }> {
  const server = new FakeChatServer(me);
  server.overrides.set('list_conversations', (frame, socket) => {
    const { id, limit, cursor } = frame as ClientFrameOf<'list_conversations'>;
    const from = cursor === undefined ? 0 : Number(cursor.slice(1));
    const items = all.slice(from, from + limit);
    const next = from + items.length < TOTAL ? { nextCursor: `c${from + items.length}` } : {};
    socket.push({ type: 'conversations', replyTo: id, items, ...next });
    return true;
  });
  const client = new ChatClient({ socketFactory: server.factory, userId: me, reconnect: false });
  clients.push(client);
  const ready = client.connect('ws://chat.test/ws', 'token-1');
  await flush();
  server.latest.open();
  await ready;
  return { server, client };
}

describe('ChatClient conversation pages', () => {
  it('listConversations follows nextCursor until the last page and lists every conversation once', async () => {
    const { server, client } = await connected();
    const before = server.latest.sentOf('list_conversations').length;
    const listed = await client.listConversations();
    expect(listed.map((item) => item.conversationId)).toEqual(all.map((item) => item.conversationId));
    const asked = server.latest.sentOf('list_conversations').slice(before) as Array<ClientFrameOf<'list_conversations'>>;
    expect(asked.map((frame) => frame.cursor)).toEqual([undefined, 'c500', 'c1000']);
  });

  it('listConversationsPage gives one page and its cursor', async () => {
    const { client } = await connected();
    const first = await client.listConversationsPage({ limit: 10 });
    expect(first.items).toEqual(all.slice(0, 10));
    expect(first.nextCursor).toBe('c10');
    const last = await client.listConversationsPage({ limit: 500, cursor: 'c1000' });
    expect(last.items).toHaveLength(TOTAL - 1000);
    expect(last.nextCursor).toBeUndefined();
  });
});
