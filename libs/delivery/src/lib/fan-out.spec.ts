import { randomUUID } from 'node:crypto';
import { MAX_DELIVERY_USERS, type ServerFrame } from '@chat/protocol';
import { fanOut, toConnection, toEveryone } from './fan-out';

const frame: ServerFrame = { type: 'typing', conversationId: randomUUID(), userId: randomUUID(), active: true };
const context = { traceId: 'a'.repeat(32), occurredAt: 5 };

describe('fanOut', () => {
  it('sends one delivery per gateway with that gateway’s users only, skipping users without sockets', () => {
    const [alice, bob, carol, dave] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const where: Record<string, string[]> = { [alice]: ['gw-1'], [bob]: ['gw-1', 'gw-2'], [carol]: [], [dave]: ['gw-2'] };
    const deliveries = fanOut(frame, [alice, bob, carol, dave, alice], (userId) => where[userId] ?? [], context);

    expect(deliveries).toEqual([
      { gatewayId: 'gw-1', payload: { target: { userIds: [alice, bob] }, frames: [frame] }, context },
      { gatewayId: 'gw-2', payload: { target: { userIds: [bob, dave] }, frames: [frame] }, context },
    ]);
  });

  it('sends nothing when nobody is connected', () => {
    expect(fanOut(frame, [randomUUID()], () => [], context)).toEqual([]);
    expect(fanOut(frame, [], () => ['gw-1'], context)).toEqual([]);
  });

  it('splits audiences larger than one delivery may address', () => {
    const users = Array.from({ length: MAX_DELIVERY_USERS + 1 }, () => randomUUID());
    const deliveries = fanOut(frame, users, () => ['gw-1'], context);
    expect(deliveries.map((d) => ('userIds' in d.payload.target ? d.payload.target.userIds.length : 0))).toEqual([MAX_DELIVERY_USERS, 1]);
    expect(deliveries.flatMap((d) => ('userIds' in d.payload.target ? d.payload.target.userIds : []))).toEqual(users);
  });

  it('broadcasts one frame to every socket of each gateway, one delivery per gateway', () => {
    expect(toEveryone(frame, ['gw-1', 'gw-2', 'gw-1'], context)).toEqual([
      { gatewayId: 'gw-1', payload: { target: { everyone: true }, frames: [frame] }, context },
      { gatewayId: 'gw-2', payload: { target: { everyone: true }, frames: [frame] }, context },
    ]);
    expect(toEveryone(frame, [], context)).toEqual([]);
  });

  it('addresses one socket for its answers, in order', () => {
    const connectionId = randomUUID();
    const answers: ServerFrame[] = [{ type: 'pong', replyTo: 'r1' }, { type: 'synced', replyTo: 'r2', conversations: [] }];
    expect(toConnection(answers, 'gw-3', connectionId, context)).toEqual({ gatewayId: 'gw-3', payload: { target: { connectionId }, frames: answers }, context });
  });
});
