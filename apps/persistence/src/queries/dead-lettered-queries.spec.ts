import { randomUUID } from 'node:crypto';
import { Test } from '@nestjs/testing';
import { DeliveryPublisher } from '@chat/delivery';
import { RecordingDeliveryPublisher } from '@chat/delivery/testing';
import { TransientError } from '@chat/kafka';
import { consumedRecord } from '@chat/kafka/testing';
import { chatQueryKey, HistoryRequestCommand, ListConversationsRequestCommand, SendMessageCommand, SyncRequestCommand, Topics } from '@chat/protocol';
import { PersistenceMetrics } from '../telemetry/persistence.metrics';
import { DeadLetteredQueries } from './dead-lettered-queries';
import { QueryAnswersPublisher } from './query-answers.publisher';

const bob = randomUUID();
const replyTo = { gatewayId: 'gw-2', connectionId: randomUUID(), requestId: 'req-5' };

describe('DeadLetteredQueries', () => {
  let observer: DeadLetteredQueries;
  let deliveries: RecordingDeliveryPublisher;
  let counted: jest.SpyInstance;

  beforeEach(async () => {
    deliveries = new RecordingDeliveryPublisher();
    // No presence view: an answer to a read goes to the gateway its replyTo names.
    const moduleRef = await Test.createTestingModule({
      providers: [DeadLetteredQueries, QueryAnswersPublisher, { provide: DeliveryPublisher, useValue: deliveries }],
    }).compile();
    observer = moduleRef.get(DeadLetteredQueries);
    counted = jest.spyOn(PersistenceMetrics.queriesDeadLettered, 'inc');
  });

  afterEach(() => counted.mockRestore());

  it('answers the socket that asked for a dead-lettered history with error internal for its request id, and counts it', async () => {
    const history = HistoryRequestCommand.create({ userId: bob, conversationId: randomUUID(), limit: 50, replyTo });
    await observer.deadLettered(consumedRecord(Topics.queries.name, chatQueryKey(history), history), new Error('stored value for messageBody:… is under data key k0, which is not configured'));

    expect(deliveries.published.map(({ gatewayId, payload }) => [gatewayId, payload.target])).toEqual([['gw-2', { connectionId: replyTo.connectionId }]]);
    const [frame] = deliveries.published[0]?.payload.frames ?? [];
    expect(frame).toEqual({ type: 'error', replyTo: 'req-5', code: 'internal', message: expect.stringContaining(`history not answered`) });
    // The id to find it by in chat.queries.dlq and the logs, not the server's internals.
    expect(frame).toMatchObject({ message: expect.stringContaining(history.id) });
    expect(JSON.stringify(frame)).not.toMatch(/data key|configured/);
    expect(counted).toHaveBeenCalledWith({ type: 'chat.command.history-request' });
  });

  it('answers every kind of read, each named as the client asked it', async () => {
    const sync = SyncRequestCommand.create({ userId: bob, conversations: [{ conversationId: randomUUID(), afterSeq: 0 }], replyTo });
    const list = ListConversationsRequestCommand.create({ userId: bob, limit: 10, replyTo: { ...replyTo, requestId: 'req-6' } });
    await observer.deadLettered(consumedRecord(Topics.queries.name, bob, sync), new Error('boom'));
    await observer.deadLettered(consumedRecord(Topics.queries.name, bob, list), new Error('boom'));
    expect(deliveries.published.flatMap(({ payload }) => payload.frames)).toEqual([
      { type: 'error', replyTo: 'req-5', code: 'internal', message: expect.stringMatching(/^sync not answered/) },
      { type: 'error', replyTo: 'req-6', code: 'internal', message: expect.stringMatching(/^list_conversations not answered/) },
    ]);
    expect(counted.mock.calls).toEqual([[{ type: 'chat.command.sync-request' }], [{ type: 'chat.command.list-conversations-request' }]]);
  });

  it('fails transiently, counting nothing, when the answer cannot be published: the consumer retries before it commits', async () => {
    deliveries.failure = new Error('broker unavailable');
    const history = HistoryRequestCommand.create({ userId: bob, conversationId: randomUUID(), limit: 1, replyTo });
    await expect(observer.deadLettered(consumedRecord(Topics.queries.name, bob, history), new Error('x'))).rejects.toBeInstanceOf(TransientError);
    expect(counted).not.toHaveBeenCalled();
  });

  it('has no one to tell for a record that is not a read (a send on chat.queries, or no envelope at all)', async () => {
    const send = SendMessageCommand.create({ senderId: bob, conversationId: randomUUID(), clientMsgId: 'm-1', body: 'x', kind: 'text', replyTo });
    await expect(observer.deadLettered(consumedRecord(Topics.queries.name, bob, send), new Error('unknown_type'))).resolves.toBeUndefined();
    await expect(observer.deadLettered({ ...consumedRecord(Topics.queries.name, 'k', null), value: Buffer.from('not json') }, new Error('invalid'))).resolves.toBeUndefined();
    expect(deliveries.published).toEqual([]);
    expect(counted).not.toHaveBeenCalled();
  });
});
