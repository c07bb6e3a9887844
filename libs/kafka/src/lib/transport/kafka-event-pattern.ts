import { applyDecorators, UseFilters } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import type { ConsumedRecord } from '../consumed-record';
import type { ConsumerOptions } from '../kafka-consumer';
import { RethrowToConsumerFilter } from './rethrow-to-consumer.filter';

/** Replaced by the instance id in a handler's topic and group id: for groups and topics of one instance. */
export const INSTANCE_ID_PLACEHOLDER = '{instanceId}';

/** A topic or group name with INSTANCE_ID_PLACEHOLDER, as it is for the instance `instanceId`. */
export function forInstance(name: string, instanceId: string): string {
  return name.split(INSTANCE_ID_PLACEHOLDER).join(instanceId);
}

/** Something a handler's consumer waits for before it joins its group (e.g. an in-memory view being loaded). */
export interface ConsumerGate {
  ready(): Promise<void>;
}

/** Told of every record the handler's consumer dead-lettered, before its offset is committed (ConsumerOptions.onDeadLettered). */
export interface DeadLetterObserver {
  deadLettered(record: ConsumedRecord, error: unknown): Promise<void>;
}

/** How the Kafka transport consumes for one `@KafkaEventPattern` handler. */
export interface KafkaHandlerOptions extends Omit<ConsumerOptions, 'topics' | 'handle' | 'handleBatch' | 'onDeadLettered'> {
  /**
   * `batch` (default): the handler gets the consecutive records of one partition, in order
   * (`ConsumedRecord[]`); `record`: one `ConsumedRecord` per call. Either way the offsets are
   * committed only after the handler's promise resolved.
   */
  mode?: 'batch' | 'record';
  /** A provider whose `ready()` the consumer waits for before joining its group. */
  startAfter?: abstract new (...args: never[]) => ConsumerGate;
  /** A provider told of each record this handler's consumer dead-lettered (see DeadLetterObserver). */
  deadLetterObserver?: abstract new (...args: never[]) => DeadLetterObserver;
}

/**
 * `@EventPattern(topic)` for the Kafka transport (KafkaTransport), with how it consumes: its group,
 * batch or record mode and the consumer's options. `{instanceId}` in the topic or group id stands
 * for this instance's id. The handler's errors reach the consumer as thrown (RethrowToConsumerFilter).
 */
export function KafkaEventPattern(topic: string, options: KafkaHandlerOptions): MethodDecorator {
  return applyDecorators(EventPattern<string>(topic, { ...options }), UseFilters(RethrowToConsumerFilter));
}
