import { randomUUID } from 'node:crypto';
import { PermanentError } from '@chat/kafka';
import { CommandAnswers, directConversationId, encodeEnvelope, SyncRequestCommand, type ServerFrame, MAX_RECORD_BYTES, MembershipChanged, OpenDirectCommand, SendMessageCommand, Topics } from '@chat/protocol';
import { CommandRejected } from './command-rejected';
import { answer, answers, insertedMessageOf, membershipChanged, messageStored, rejectionAnswer } from './effects';
import { fitListInRecord } from './record-budget';

const alice = randomUUID();
const bob = randomUUID();
const replyTo = { gatewayId: 'gw-1', connectionId: randomUUID(), requestId: 'req-1' };

describe('effects', () => {
  it('answers on chat.events under the command key, with the command trace and edge time', () => {
    const open = OpenDirectCommand.create({ userId: alice, peerId: bob, replyTo });
    const effect = answer(open, { type: 'pong', replyTo: 'req-1' });
    expect(effect.topic).toBe(Topics.events.name);
    expect(effect.key).toBe(directConversationId(alice, bob));
    expect(effect.envelope).toMatchObject({ type: CommandAnswers.type, traceId: open.traceId, occurredAt: open.occurredAt, payload: { replyTo, frames: [{ type: 'pong', replyTo: 'req-1' }] } });
  });

  it('turns a rejection into an error frame matched by the request id, with a bounded message', () => {
    const send = SendMessageCommand.create({ senderId: alice, conversationId: randomUUID(), clientMsgId: 'm1', body: 'hi', kind: 'text', replyTo });
    const effect = rejectionAnswer(send, new CommandRejected('not_member', 'x'.repeat(2000)));
    const [frame] = CommandAnswers.parse(effect.envelope).payload.frames;
    expect(frame).toMatchObject({ type: 'error', replyTo: 'req-1', code: 'not_member' });
    expect(frame.type === 'error' && frame.message.length).toBe(500);
  });

  it('publishes a stored message under its conversation with the message id as event id', () => {
    const conversationId = randomUUID();
    const send = SendMessageCommand.create({ senderId: alice, conversationId, clientMsgId: 'm1', body: 'hi', kind: 'text', replyTo });
    const message = { conversationId, seq: 1, messageId: randomUUID(), senderId: alice, clientMsgId: 'm1', body: 'hi', kind: 'text' as const, sentAt: 1, storedAt: 2 };
    const effect = messageStored(send, message, [alice, bob], true);
    expect(effect).toMatchObject({ topic: Topics.events.name, key: conversationId, envelope: { id: message.messageId } });
  });

  it('marks the announcement of a message its command inserted, for metrics, without putting the mark in the record', () => {
    const conversationId = randomUUID();
    const send = SendMessageCommand.create({ senderId: alice, conversationId, clientMsgId: 'm1', body: 'hi', kind: 'text', replyTo });
    const message = { conversationId, seq: 1, messageId: randomUUID(), senderId: alice, clientMsgId: 'm1', body: 'hi', kind: 'text' as const, sentAt: 1, storedAt: 2 };
    const inserted = messageStored(send, message, [alice], true);
    expect(insertedMessageOf(inserted)).toEqual({ acceptedAt: send.producedAt, storedAt: 2 });
    expect(insertedMessageOf(messageStored(send, message, [alice], false))).toBeUndefined();
    // What a replay reads back from processed_commands is a copy: never counted again.
    expect(insertedMessageOf(JSON.parse(JSON.stringify(inserted)))).toBeUndefined();
  });

  it('puts membership changes on the compacted memberships topic under the conversation', () => {
    const open = OpenDirectCommand.create({ userId: alice, peerId: bob, replyTo });
    const conversationId = directConversationId(alice, bob);
    const effect = membershipChanged(open, { conversationId, kind: 'direct', memberIds: [alice, bob], added: [alice, bob], removed: [], by: alice });
    expect(effect).toMatchObject({ topic: Topics.memberships.name, key: conversationId, envelope: { type: MembershipChanged.type } });
  });

  it('packs many answers into few records, in order, under the command key, each within the record limit', () => {
    const conversationId = randomUUID();
    const sync = SyncRequestCommand.create({ userId: bob, conversations: [{ conversationId, afterSeq: 0 }], replyTo });
    const messages: ServerFrame[] = Array.from({ length: 300 }, (_, i) => ({
      type: 'message',
      conversationId,
      seq: i + 1,
      messageId: randomUUID(),
      senderId: alice,
      clientMsgId: `m${i}`,
      body: 'z'.repeat(4000),
      kind: 'text',
      sentAt: 1,
      storedAt: 2,
    }));
    const synced: ServerFrame = { type: 'synced', replyTo: 'req-1', conversations: [{ conversationId, lastSeq: 300 }] };
    const effects = answers(sync, [...messages, synced]);
    expect(effects.length).toBe(3);
    const frames = effects.flatMap((effect) => CommandAnswers.parse(effect.envelope).payload.frames);
    expect(frames).toEqual([...messages, synced]);
    for (const effect of effects) {
      expect(effect).toMatchObject({ topic: Topics.events.name, key: bob, envelope: { traceId: sync.traceId, payload: { replyTo } } });
      expect(encodeEnvelope(effect.envelope).length).toBeLessThanOrEqual(MAX_RECORD_BYTES);
    }
  });

  it('answers a single frame with one record of that frame, and nothing with no record', () => {
    const sync = SyncRequestCommand.create({ userId: bob, conversations: [{ conversationId: randomUUID(), afterSeq: 0 }], replyTo });
    const synced: ServerFrame = { type: 'synced', replyTo: 'req-1', conversations: [] };
    const [only, ...rest] = answers(sync, [synced]);
    expect(rest).toEqual([]);
    expect(CommandAnswers.parse(only?.envelope).payload.frames).toEqual([synced]);
    expect(answers(sync, [])).toEqual([]);
  });

  it('refuses to build a record larger than a Kafka record may be', () => {
    const open = OpenDirectCommand.create({ userId: alice, peerId: bob, replyTo });
    const huge = Array.from({ length: 200 }, () => ({ conversationId: randomUUID(), lastSeq: 1 }));
    const frame = { type: 'synced' as const, replyTo: 'req-1', conversations: huge };
    expect(() => answer(open, frame)).not.toThrow();
    const history = {
      type: 'history_page' as const,
      replyTo: 'req-1',
      conversationId: randomUUID(),
      hasMore: false,
      messages: Array.from({ length: 100 }, (_, seq) => ({
        conversationId: randomUUID(),
        seq: seq + 1,
        messageId: randomUUID(),
        senderId: alice,
        clientMsgId: `m${seq}`,
        body: '\u0001'.repeat(4000),
        kind: 'text' as const,
        sentAt: 1,
        storedAt: 2,
      })),
    };
    expect(() => answer(open, history)).toThrow(PermanentError);
    const fitted = fitListInRecord(history.messages, 'last', (messages) => CommandAnswers.create({ replyTo, frames: [{ ...history, messages }] }));
    expect(fitted.trimmed).toBe(true);
    expect(() => answer(open, { ...history, messages: fitted.items })).not.toThrow();
    expect(fitted.items.length * 24_000).toBeLessThan(MAX_RECORD_BYTES);
  });
});
