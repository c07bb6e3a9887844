import { randomUUID } from 'node:crypto';
import { Test } from '@nestjs/testing';
import { CommandAnswers, MessageStored, ReceiptStored, TypingChanged, type ChatMessage } from '@chat/protocol';
import { MembershipView, PresenceView } from '@chat/delivery';
import { connectInView } from '@chat/delivery/testing';
import { RouteEventUseCase } from './route-event.use-case';

const [alice, bob, carol, dave] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
const conversationId = randomUUID();
const NOW = 1_000_000;
/** Every gateway's lease, renewed at NOW. */
const LEASE = { now: NOW, ttlMs: 15_000 };

describe('RouteEventUseCase', () => {
  let route: RouteEventUseCase;
  let presence: PresenceView;
  let memberships: MembershipView;

  beforeEach(async () => {
    presence = new PresenceView();
    memberships = new MembershipView();
    const moduleRef = await Test.createTestingModule({
      providers: [RouteEventUseCase, { provide: PresenceView, useValue: presence }, { provide: MembershipView, useValue: memberships }],
    }).compile();
    route = moduleRef.get(RouteEventUseCase);
    // alice on two gateways (two devices), bob on gw-2, carol offline, dave on gw-3.
    connectInView(presence, 'gw-1', alice, 0, LEASE);
    connectInView(presence, 'gw-2', alice, 1, LEASE);
    connectInView(presence, 'gw-2', bob, 2, LEASE);
    connectInView(presence, 'gw-3', dave, 3, LEASE);
    memberships.apply(conversationId, { kind: 'group', title: 'T', memberIds: [alice, bob, carol] });
  });

  const message: ChatMessage = {
    conversationId,
    seq: 7,
    messageId: randomUUID(),
    senderId: alice,
    clientMsgId: 'm-1',
    body: 'hello',
    kind: 'text',
    sentAt: NOW - 10,
    storedAt: NOW - 5,
  };

  it('pushes a stored message to every connected recipient, the sender’s devices included, one delivery per gateway', () => {
    const event = MessageStored.create({ message, recipientIds: [alice, bob, carol] }, { occurredAt: NOW - 10 });
    const deliveries = route.execute(event, NOW);

    expect(deliveries.map((d) => [d.gatewayId, d.payload.target])).toEqual([
      ['gw-1', { userIds: [alice] }],
      ['gw-2', { userIds: [alice, bob] }],
    ]);
    expect(deliveries[0].payload).toMatchObject({ frames: [{ type: 'message', ...message }] });
    // The delivery carries the trace and the edge time of the message, for end-to-end latency.
    expect(deliveries[0].context).toEqual({ traceId: event.traceId, occurredAt: NOW - 10 });
  });

  it('pushes a receipt to its recipients', () => {
    const event = ReceiptStored.create({ conversationId, userId: bob, seq: 7, status: 'read', at: NOW, recipientIds: [alice, dave] });
    const deliveries = route.execute(event, NOW);
    expect(deliveries.map((d) => d.gatewayId)).toEqual(['gw-1', 'gw-2', 'gw-3']);
    expect(deliveries[2].payload).toEqual({
      target: { userIds: [dave] },
      frames: [{ type: 'receipt', conversationId, userId: bob, seq: 7, status: 'read', at: NOW }],
    });
  });

  it('pushes typing to the other members only, and drops typing of non-members', () => {
    const typing = route.execute(TypingChanged.create({ conversationId, userId: alice, active: true }), NOW);
    expect(typing.map((d) => [d.gatewayId, d.payload.target])).toEqual([['gw-2', { userIds: [bob] }]]);
    expect(typing[0].payload).toMatchObject({ frames: [{ type: 'typing', conversationId, userId: alice, active: true }] });

    expect(route.execute(TypingChanged.create({ conversationId, userId: dave, active: true }), NOW)).toEqual([]);
    expect(route.execute(TypingChanged.create({ conversationId: randomUUID(), userId: alice, active: true }), NOW)).toEqual([]);
  });

  it('sends a command’s answer to the one socket that asked, even on a gateway without a known lease', () => {
    const connectionId = randomUUID();
    const frame = { type: 'conversations' as const, replyTo: 'req-1', items: [] };
    const deliveries = route.execute(CommandAnswers.create({ replyTo: { gatewayId: 'gw-new', connectionId, requestId: 'req-1' }, frames: [frame] }), NOW);
    expect(deliveries.map((d) => [d.gatewayId, d.payload])).toEqual([['gw-new', { target: { connectionId }, frames: [frame] }]]);
  });

  it('passes several answers to one socket on as one delivery, frames in order', () => {
    const connectionId = randomUUID();
    const frames = [
      { type: 'message' as const, ...message },
      { type: 'synced' as const, replyTo: 'req-2', conversations: [{ conversationId, lastSeq: 1 }] },
    ];
    const deliveries = route.execute(CommandAnswers.create({ replyTo: { gatewayId: 'gw-2', connectionId, requestId: 'req-2' }, frames }), NOW);
    expect(deliveries.map((d) => [d.gatewayId, d.payload])).toEqual([['gw-2', { target: { connectionId }, frames }]]);
  });

  it('routes nothing to a gateway whose lease ran out', () => {
    const later = NOW + 15_001;
    const deliveries = route.execute(MessageStored.create({ message, recipientIds: [alice, bob] }), later);
    expect(deliveries).toEqual([]);
  });
});
