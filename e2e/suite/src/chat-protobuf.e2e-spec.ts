import type WebSocket from 'ws';
import type { ChatClientOptions } from '@chat/client-sdk';
import { nodeSocketFactory } from '@chat/client-sdk/node';
import { expectEventually } from '@chat/testing';
import { useChatSuite } from './support/chat-suite';
import { RawSocket } from './support/chat-raw-socket';
import { type TestDevice, type TestUser, useChatUsers } from './support/chat-users';

/*
 * The Protobuf codec (WebSocket subprotocol `chat.v1.protobuf`) as users see it, through the client
 * SDK against all five services: the same conversations, messages, order and history as with JSON,
 * in binary frames, next to JSON clients in the same conversations. And a client offering only
 * subprotocols the gateway does not speak is refused at the upgrade, as docs/protocol.md says.
 */

const suite = useChatSuite({ label: 'protobuf' });
const users = useChatUsers(suite);

/** What one device's sockets negotiated and how its frames arrived, seen on the `ws` socket itself. */
interface Wire {
  protocols: string[];
  binary: number;
  text: number;
}

/** Connects with `codec`, recording the negotiated subprotocol and the kind of every message received. */
async function connect(user: TestUser, codec: 'json' | 'protobuf'): Promise<{ device: TestDevice; wire: Wire }> {
  const wire: Wire = { protocols: [], binary: 0, text: 0 };
  const onSocket = (socket: WebSocket) => {
    socket.on('open', () => wire.protocols.push(socket.protocol));
    socket.on('message', (_data, isBinary) => (isBinary ? wire.binary++ : wire.text++));
  };
  const options: ChatClientOptions = { codec, socketFactory: nodeSocketFactory({ onSocket }) };
  return { device: await users.connect(user, { options }), wire };
}

/** Waits until `observer` was told `user` is online: from then on the router routes to that user's gateway. */
async function seenOnline(observer: TestDevice, user: TestUser): Promise<void> {
  await expectEventually(() => expect(observer.lastPresenceOf(user.userId)).toBe(true));
}

describe('the Protobuf codec, end to end', () => {
  it('two users chat through the SDK in Protobuf: direct messages both ways, in order, history included', async () => {
    const alice = await users.register('alice');
    const bob = await users.register('bob');
    const { device: a, wire: aWire } = await connect(alice, 'protobuf');
    const conversation = await a.client.openDirect(bob.userId);
    expect(conversation).toMatchObject({ kind: 'direct', lastSeq: 0 });
    const conversationId = conversation.conversationId;
    await expectEventually(() => expect(a.memberAdded.map((frame) => frame.conversationId)).toContain(conversationId));
    const { device: b, wire: bWire } = await connect(bob, 'protobuf');
    await seenOnline(a, bob);

    const script: Array<[TestDevice, string]> = [
      [a, 'hi bob, in binary'],
      [b, 'hi alice 👋'],
      [a, 'ünïcödé and "quotes" survive'],
      [b, ' kept exactly as sent \n'],
    ];
    for (const [index, [device, body]] of script.entries()) {
      const stored = await device.client.sendAndWaitStored(conversationId, body);
      expect({ seq: stored.seq, body: stored.body, senderId: stored.senderId }).toEqual({ seq: index + 1, body, senderId: device.user.userId });
      expect(stored.sentAt).toBeGreaterThan(1_600_000_000_000);
    }
    const expected = script.map(([, body], index): [number, string] => [index + 1, body]);
    await expectEventually(() => {
      expect(a.seen(conversationId)).toEqual(expected);
      expect(b.seen(conversationId)).toEqual(expected);
    });
    const page = await b.client.history(conversationId, { limit: 3 });
    expect({ seqs: page.messages.map((m) => m.seq), hasMore: page.hasMore }).toEqual({ seqs: [2, 3, 4], hasMore: true });

    expect([a.errors, b.errors]).toEqual([[], []]);
    for (const wire of [aWire, bWire]) {
      expect(wire.protocols).toEqual(['chat.v1.protobuf']);
      expect(wire.text).toBe(0);
      expect(wire.binary).toBeGreaterThan(0);
    }
  });

  it('a JSON user and a Protobuf user in one group see the same messages with the same seqs', async () => {
    const carol = await users.register('carol');
    const dave = await users.register('dave');
    const { device: c, wire: cWire } = await connect(carol, 'json');
    const group = await c.client.createGroup('Mixed codecs', [dave.userId]);
    const groupId = group.conversationId;
    await expectEventually(() => expect(c.memberAdded.map((frame) => frame.conversationId)).toContain(groupId));
    const { device: d, wire: dWire } = await connect(dave, 'protobuf');
    expect((await d.client.listConversations()).find((item) => item.conversationId === groupId)).toMatchObject({ kind: 'group', title: 'Mixed codecs' });
    await seenOnline(c, dave);

    const sent: Array<[number, string]> = [];
    for (const [device, body] of [
      [c, 'from JSON'],
      [d, 'from Protobuf'],
      [c, 'JSON again'],
      [d, 'Protobuf again'],
    ] as const) {
      const stored = await device.client.sendAndWaitStored(groupId, body);
      sent.push([stored.seq, body]);
    }
    expect(sent.map(([seq]) => seq)).toEqual([1, 2, 3, 4]);
    await expectEventually(() => {
      expect(c.seen(groupId)).toEqual(sent);
      expect(d.seen(groupId)).toEqual(sent);
    });
    // Each message reached each device once over the wire, whatever the codec.
    expect([...c.wireCounts(groupId)]).toEqual([...d.wireCounts(groupId)]);
    expect([c.errors, d.errors]).toEqual([[], []]);
    expect({ protocols: cWire.protocols, binary: cWire.binary }).toEqual({ protocols: ['chat.v1.json'], binary: 0 });
    expect({ protocols: dWire.protocols, text: dWire.text }).toEqual({ protocols: ['chat.v1.protobuf'], text: 0 });
  });

  it('refuses an upgrade that offers only unsupported subprotocols with HTTP 400 naming the supported ones', async () => {
    const user = await users.register('picky');
    const socket = new RawSocket(suite().gatewayUrl(), { token: user.session.accessToken, subprotocols: ['chat.v2.cbor'] });
    expect(await socket.refused).toEqual({ status: 400, body: 'unsupported WebSocket subprotocol; supported: chat.v1.json, chat.v1.protobuf' });
    expect(await socket.closed).toMatchObject({ code: 1006, opened: false });
  });
});
