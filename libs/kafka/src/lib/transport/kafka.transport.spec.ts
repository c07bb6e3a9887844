import { Controller, Injectable, type INestMicroservice } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import type { ConsumedRecord } from '../consumed-record';
import { PermanentError, TransientError } from '../errors';
import type { ConsumerOptions, ManagedConsumer } from '../kafka-consumer';
import type { KafkaConsumerFactory } from '../kafka-consumer.factory';
import { KafkaEventPattern, type ConsumerGate, type DeadLetterObserver } from './kafka-event-pattern';
import { KafkaTransport, RethrowToConsumerFilter } from './kafka.transport';

function record(offset: number): ConsumedRecord {
  return { topic: 't', partition: 0, offset: String(offset), key: null, value: Buffer.from('{}'), headers: {}, rawHeaders: {}, timestamp: 0, traceId: undefined };
}

/** Stands in for the consumers the transport creates: what it asked for, and whether each started. */
class ConsumersSeen {
  readonly created: Array<{ options: ConsumerOptions; started: boolean }> = [];
  readonly factory = {
    create: (options: ConsumerOptions) => {
      const entry = { options, started: false };
      this.created.push(entry);
      return { start: async () => void (entry.started = true) } as unknown as ManagedConsumer;
    },
  } as unknown as KafkaConsumerFactory;

  of(groupId: string): { options: ConsumerOptions; started: boolean } {
    const entry = this.created.find((c) => c.options.groupId === groupId);
    if (!entry) throw new Error(`no consumer for ${groupId}`);
    return entry;
  }
}

@Injectable()
class ViewGate implements ConsumerGate {
  open: () => void = () => undefined;
  private readonly opened = new Promise<void>((resolve) => (this.open = resolve));
  ready(): Promise<void> {
    return this.opened;
  }
}

@Injectable()
class DeadLetters implements DeadLetterObserver {
  readonly told: Array<[string, string]> = [];
  async deadLettered(record: ConsumedRecord, error: unknown): Promise<void> {
    this.told.push([record.offset, (error as Error).message]);
  }
}

@Controller()
class ChatConsumers {
  readonly batches: ConsumedRecord[][] = [];
  readonly singles: ConsumedRecord[] = [];
  failWith: Error | null = null;

  @KafkaEventPattern('chat.things', { groupId: 'things', partitionsConsumedConcurrently: 3 })
  async things(@Payload() records: ConsumedRecord[]): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.batches.push(records);
  }

  @KafkaEventPattern('chat.delivery.{instanceId}', { groupId: 'gateway.{instanceId}', mode: 'record', fromBeginning: false })
  async own(@Payload() one: ConsumedRecord): Promise<void> {
    this.singles.push(one);
  }

  @KafkaEventPattern('chat.orders', { groupId: 'orders', deadLetterObserver: DeadLetters })
  async orders(): Promise<void> {
    // Only its consumer's dead-letter observer matters here.
  }

  @KafkaEventPattern('chat.views', { groupId: 'after-views', startAfter: ViewGate })
  async afterViews(): Promise<void> {
    // Only its consumer's start matters here.
  }
}

describe('KafkaTransport', () => {
  let app: INestMicroservice;
  let seen: ConsumersSeen;
  let handlers: ChatConsumers;
  let gate: ViewGate;
  let stopping: boolean;

  beforeEach(async () => {
    seen = new ConsumersSeen();
    stopping = false;
    const moduleRef = await Test.createTestingModule({ controllers: [ChatConsumers], providers: [ViewGate, DeadLetters] }).compile();
    const transport = new KafkaTransport({
      consumers: seen.factory,
      instanceId: 'gw-7',
      resolve: (token) => moduleRef.get(token),
      stopping: () => stopping,
      groupOptions: { things: { partitionsConsumedConcurrently: 6 } },
    });
    app = moduleRef.createNestMicroservice({ strategy: transport, logger: false });
    app.useGlobalFilters(new RethrowToConsumerFilter());
    await app.listen();
    handlers = moduleRef.get(ChatConsumers);
    gate = moduleRef.get(ViewGate);
  });

  afterEach(async () => {
    await app.close();
  });

  it('gives each handler a consumer of its topic and group, with the configured options over the declared ones', () => {
    expect(seen.of('things').options).toMatchObject({ topics: ['chat.things'], partitionsConsumedConcurrently: 6 });
    expect(seen.of('things').options.handleBatch).toBeInstanceOf(Function);
    expect(seen.of('gateway.gw-7').options).toMatchObject({ topics: ['chat.delivery.gw-7'], fromBeginning: false });
    expect(seen.of('gateway.gw-7').options.handle).toBeInstanceOf(Function);
    expect(seen.of('things').started).toBe(true);
  });

  it('hands batches and records to the handlers and resolves once their work is done', async () => {
    await seen.of('things').options.handleBatch?.([record(1), record(2)]);
    await seen.of('gateway.gw-7').options.handle?.(record(3));
    expect(handlers.batches.map((batch) => batch.map((r) => r.offset))).toEqual([['1', '2']]);
    expect(handlers.singles.map((r) => r.offset)).toEqual(['3']);
  });

  it('passes a handler error to the consumer as thrown, so it retries or dead-letters by its class', async () => {
    handlers.failWith = new TransientError('database busy');
    await expect(seen.of('things').options.handleBatch?.([record(1)])).rejects.toBeInstanceOf(TransientError);
    handlers.failWith = new PermanentError('unreadable');
    await expect(seen.of('things').options.handleBatch?.([record(1)])).rejects.toBeInstanceOf(PermanentError);
  });

  it('passes handler errors as thrown in a hybrid application too (an HTTP app with the transport connected, no global filter)', async () => {
    const hybridSeen = new ConsumersSeen();
    const moduleRef = await Test.createTestingModule({ controllers: [ChatConsumers], providers: [ViewGate, DeadLetters] }).compile();
    const http = moduleRef.createNestApplication({ logger: false });
    http.connectMicroservice({ strategy: new KafkaTransport({ consumers: hybridSeen.factory, instanceId: 'h', resolve: (token) => moduleRef.get(token), stopping: () => false }) });
    await http.init();
    await http.startAllMicroservices();
    try {
      moduleRef.get(ChatConsumers).failWith = new TransientError('database restarting');
      await expect(hybridSeen.of('things').options.handleBatch?.([record(1)])).rejects.toBeInstanceOf(TransientError);
    } finally {
      await http.close();
    }
  });

  it("tells a handler's dead-letter observer (a provider) of what its consumer dead-letters; other consumers have none", async () => {
    await seen.of('orders').options.onDeadLettered?.(record(4), new PermanentError('unreadable'));
    expect(app.get(DeadLetters).told).toEqual([['4', 'unreadable']]);
    expect(seen.of('things').options.onDeadLettered).toBeUndefined();
  });

  it('starts a gated consumer only once its gate is ready, and not at all if the service is stopping by then', async () => {
    expect(seen.of('after-views').started).toBe(false);
    gate.open();
    await gate.ready();
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen.of('after-views').started).toBe(true);

    const stoppedEarly = new ConsumersSeen();
    const moduleRef = await Test.createTestingModule({ controllers: [ChatConsumers], providers: [ViewGate, DeadLetters] }).compile();
    const other = moduleRef.createNestMicroservice({
      strategy: new KafkaTransport({ consumers: stoppedEarly.factory, instanceId: 'x', resolve: (token) => moduleRef.get(token), stopping: () => true }),
      logger: false,
    });
    await other.listen();
    moduleRef.get(ViewGate).open();
    await new Promise((resolve) => setImmediate(resolve));
    expect(stoppedEarly.of('after-views').started).toBe(false);
    await other.close();
  });
});
