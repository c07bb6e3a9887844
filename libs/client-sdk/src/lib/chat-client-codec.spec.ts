import type { ChatMessage, ClientFrameOf } from '@chat/wire';
import { FakeChatServer, flush, randomLikeId } from '../../testing/fake-chat-server';
import { ChatClient } from './chat-client';
import type { ChatClientOptions } from './chat-client.types';

/*
 * The `codec` option: what the client offers as its subprotocol, and that every frame then goes
 * both ways in that codec (the fake server decodes and answers in the codec the socket asked for).
 */

const me = randomLikeId(0xa1);
const conversationId = randomLikeId(0xc1);

const clients: ChatClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

async function connected(options: ChatClientOptions): Promise<{ server: FakeChatServer; client: ChatClient; delivered: ChatMessage[]; errors: Error[] }> {
  const server = new FakeChatServer(me);
  server.addConversation(conversationId);
  // The group as it is listed, with its roles (which frames since group roles require).
  server.overrides.set('list_conversations', (frame, socket) => {
    const items = [{ conversationId, kind: 'group' as const, title: 'Test', memberIds: [me], ownerId: me, adminIds: [], lastSeq: server.messages(conversationId).length, unread: 0 }];
    socket.push({ type: 'conversations', replyTo: (frame as ClientFrameOf<'list_conversations'>).id, items });
    return true;
  });
  const client = new ChatClient({ socketFactory: server.factory, userId: me, reconnect: false, ...options });
  clients.push(client);
  const delivered: ChatMessage[] = [];
  const errors: Error[] = [];
  client.on('message', (message) => delivered.push(message));
  client.on('error', (error) => errors.push(error));
  const ready = client.connect('ws://chat.test/ws', 'token-1');
  await flush();
  server.latest.open();
  await ready;
  return { server, client, delivered, errors };
}

describe('ChatClient codec option', () => {
  it('speaks JSON in text frames by default, offering chat.v1.json', async () => {
    const { server, client } = await connected({});
    await client.sendAndWaitStored(conversationId, 'hello');
    expect(server.latest.request.subprotocol).toBe('chat.v1.json');
    expect(server.latest.sentBinary.length).toBeGreaterThan(0);
    expect(server.latest.sentBinary.every((binary) => !binary)).toBe(true);
  });

  it('speaks Protobuf in binary frames with codec protobuf: requests, answers and pushed messages', async () => {
    const { server, client, delivered, errors } = await connected({ codec: 'protobuf' });
    expect(server.latest.request.subprotocol).toBe('chat.v1.protobuf');
    const stored = await client.sendAndWaitStored(conversationId, 'hello über binary');
    expect(stored).toMatchObject({ conversationId, seq: 1, body: 'hello über binary', senderId: me });
    const pushed = server.store(conversationId, 'from someone else');
    server.latest.push({ type: 'message', ...pushed });
    expect(delivered.map((message) => message.body)).toEqual(['hello über binary', 'from someone else']);
    expect(server.latest.sentOf('send')).toHaveLength(1);
    expect(server.latest.sentBinary.every(Boolean)).toBe(true);
    expect(errors).toEqual([]);
  });

  it('reports a text frame on a Protobuf connection instead of reading it', async () => {
    const { server, errors } = await connected({ codec: 'protobuf' });
    server.latest.pushRaw('{"type":"pong"}');
    expect(errors.map((error) => error.message)).toEqual(['frame: text frames are not accepted; send Protobuf as a binary frame']);
  });
});
