import { randomUUID } from 'node:crypto';
import { Test } from '@nestjs/testing';
import { DeliveryPublisher, PresenceView, ViewsService } from '@chat/delivery';
import { connectInView, RecordingDeliveryPublisher } from '@chat/delivery/testing';
import { KafkaProducer, TransientError } from '@chat/kafka';
import { consumedRecord } from '@chat/kafka/testing';
import { CreateGroupCommand, SendMessageCommand, Topics } from '@chat/protocol';
import { PersistenceMetrics } from '../telemetry/persistence.metrics';
import { DeadLetteredCommands } from './dead-lettered-commands';
import { EffectPublisher } from './effect-publisher';

const alice = randomUUID();
const replyTo = { gatewayId: 'gw-1', connectionId: randomUUID(), requestId: 'req-17' };

describe('DeadLetteredCommands', () => {
  let observer: DeadLetteredCommands;
  let deliveries: RecordingDeliveryPublisher;
  let counted: jest.SpyInstance;

  beforeEach(async () => {
    const presence = new PresenceView();
    connectInView(presence, 'gw-1', alice, 0);
    deliveries = new RecordingDeliveryPublisher();
    const moduleRef = await Test.createTestingModule({
      providers: [
        DeadLetteredCommands,
        EffectPublisher,
        { provide: PresenceView, useValue: presence },
        { provide: DeliveryPublisher, useValue: deliveries },
        { provide: KafkaProducer, useValue: { send: async () => undefined } },
        { provide: ViewsService, useValue: { current: async () => undefined } },
      ],
    }).compile();
    observer = moduleRef.get(DeadLetteredCommands);
    counted = jest.spyOn(PersistenceMetrics.commandsDeadLettered, 'inc');
  });

  afterEach(() => counted.mockRestore());

  it('answers the socket that sent a dead-lettered send with error not_stored for its request id, and counts it', async () => {
    const send = SendMessageCommand.create({ senderId: alice, conversationId: randomUUID(), clientMsgId: 'm-42', body: 'lost?', kind: 'text', replyTo });
    await observer.deadLettered(consumedRecord(Topics.commands.name, send.payload.conversationId, send), new Error('violates check constraint "messages_refuse"'));

    expect(deliveries.published.map(({ gatewayId, payload }) => [gatewayId, payload.target])).toEqual([['gw-1', { connectionId: replyTo.connectionId }]]);
    const [frame] = deliveries.published[0]?.payload.frames ?? [];
    expect(frame).toEqual({ type: 'error', replyTo: 'req-17', code: 'not_stored', message: expect.stringContaining('m-42') });
    // The user learns what was not done, not the server's internals.
    expect(JSON.stringify(frame)).not.toContain('constraint');
    expect(counted).toHaveBeenCalledWith({ type: 'chat.command.send-message' });
  });

  it('tells the sender of any other command too, matched by its request id', async () => {
    const create = CreateGroupCommand.create({ userId: alice, title: 'team', memberIds: [randomUUID()], replyTo });
    await observer.deadLettered(consumedRecord(Topics.commands.name, alice, create), new Error('boom'));
    expect(deliveries.published[0]?.payload.frames).toEqual([{ type: 'error', replyTo: 'req-17', code: 'not_stored', message: expect.stringContaining('not carried out') }]);
    expect(counted).toHaveBeenCalledWith({ type: 'chat.command.create-group' });
  });

  it('fails transiently, counting nothing, when the answer cannot be published: the consumer retries before it commits', async () => {
    deliveries.failure = new Error('broker unavailable');
    const send = SendMessageCommand.create({ senderId: alice, conversationId: randomUUID(), clientMsgId: 'm-1', body: 'x', kind: 'text', replyTo });
    await expect(observer.deadLettered(consumedRecord(Topics.commands.name, send.payload.conversationId, send), new Error('x'))).rejects.toBeInstanceOf(TransientError);
    expect(counted).not.toHaveBeenCalled();
  });

  it('has no one to tell for a record that is not a command', async () => {
    const record = { ...consumedRecord(Topics.commands.name, 'k', null), value: Buffer.from('{"not":"a command"}') };
    await expect(observer.deadLettered(record, new Error('invalid'))).resolves.toBeUndefined();
    expect(deliveries.published).toEqual([]);
    expect(counted).not.toHaveBeenCalled();
  });
});
