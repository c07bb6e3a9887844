import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { lastValueFrom, type Observable } from 'rxjs';
import type { ConsumedRecord } from '../consumed-record';
import type { ManagedConsumer } from '../kafka-consumer';
import type { KafkaConsumerFactory } from '../kafka-consumer.factory';
import { forInstance, type ConsumerGate, type KafkaHandlerOptions } from './kafka-event-pattern';

export interface KafkaTransportOptions {
  consumers: KafkaConsumerFactory;
  instanceId: string;
  /** Resolves a handler's `startAfter` and `deadLetterObserver` providers from the application's container. */
  resolve: <T>(token: abstract new (...args: never[]) => T) => T;
  /** Whether the service is stopping: a consumer whose gate opens after that never starts. */
  stopping: () => boolean;
  /** Options from the service's configuration, by group id, over those of the handler's decorator. */
  groupOptions?: Record<string, Partial<KafkaHandlerOptions>>;
}

/**
 * Nest's microservice transport over this lib's consumers: every `@KafkaEventPattern` handler of the
 * application gets a consumer group member (ManagedConsumer) with the semantics every service relies
 * on: offsets committed only after the handler's promise resolved (on the consumer's cadence),
 * partitions handed over as batches in order, failures retried or dead-lettered with the original
 * intact. The consumers stop with the Kafka client's shutdown (finishing and committing their batches
 * while the producer still runs), not here.
 */
export class KafkaTransport extends Server implements CustomTransportStrategy {
  private readonly consumers: ManagedConsumer[] = [];

  constructor(private readonly options: KafkaTransportOptions) {
    super();
  }

  listen(callback: () => void): void {
    for (const [pattern, handler] of this.getHandlers()) {
      if (!handler.isEventHandler) throw new Error(`Kafka handler for ${pattern} must be an @EventPattern: records get no replies`);
      this.consume(pattern, handler);
    }
    callback();
  }

  /** The consumers stop with the Kafka client (see the class comment). */
  close(): void {
    // Nothing of its own to release.
  }

  on(): never {
    throw new Error('KafkaTransport has no events to subscribe to');
  }

  unwrap<T>(): T {
    return this.consumers as T;
  }

  private consume(pattern: string, handler: MessageHandler): void {
    const declared = handler.extras as KafkaHandlerOptions;
    const { mode = 'batch', startAfter, deadLetterObserver, ...options } = { ...declared, ...this.options.groupOptions?.[declared.groupId] };
    const invoke = (data: ConsumedRecord | ConsumedRecord[]) => this.invoke(handler, data);
    const observer = deadLetterObserver ? this.options.resolve(deadLetterObserver) : undefined;
    const consumer = this.options.consumers.create({
      ...options,
      groupId: forInstance(options.groupId, this.options.instanceId),
      topics: [forInstance(pattern, this.options.instanceId)],
      ...(mode === 'batch' ? { handleBatch: invoke } : { handle: invoke }),
      ...(observer ? { onDeadLettered: (record: ConsumedRecord, error: unknown) => observer.deadLettered(record, error) } : {}),
    });
    this.consumers.push(consumer);
    const gate = startAfter ? this.options.resolve<ConsumerGate>(startAfter).ready() : Promise.resolve();
    void gate.then(() => {
      if (!this.options.stopping()) void consumer.start();
    });
  }

  /** Runs the handler through Nest (guards, interceptors, pipes, filters) and waits for its work. */
  private async invoke(handler: MessageHandler, data: ConsumedRecord | ConsumedRecord[]): Promise<void> {
    const result: unknown = await handler(data);
    await lastValueFrom(this.transformToObservable(result) as Observable<unknown>, { defaultValue: undefined });
  }
}

// Every @KafkaEventPattern handler has it (see the filter); exported here too for the global registration.
export { RethrowToConsumerFilter } from './rethrow-to-consumer.filter';
