import { Module, type DynamicModule, type FactoryProvider } from '@nestjs/common';
import { KafkaClient } from './kafka-client';
import { KafkaConsumerFactory } from './kafka-consumer.factory';
import { KafkaHealth } from './kafka-health';
import { KafkaProducer } from './kafka-producer';
import { KAFKA_OPTIONS, type KafkaModuleOptions } from './kafka.options';

export interface KafkaModuleAsyncOptions {
  imports?: DynamicModule['imports'];
  inject?: FactoryProvider['inject'];
  useFactory: (...args: never[]) => KafkaModuleOptions | Promise<KafkaModuleOptions>;
}

/** One Kafka connection, producer and consumer factory per service process. */
@Module({})
export class KafkaModule {
  static forRootAsync(options: KafkaModuleAsyncOptions): DynamicModule {
    return {
      module: KafkaModule,
      global: true,
      imports: options.imports ?? [],
      providers: [
        { provide: KAFKA_OPTIONS, inject: options.inject ?? [], useFactory: options.useFactory },
        KafkaClient,
        KafkaProducer,
        KafkaConsumerFactory,
        KafkaHealth,
      ],
      exports: [KafkaClient, KafkaProducer, KafkaConsumerFactory, KafkaHealth],
    };
  }
}
