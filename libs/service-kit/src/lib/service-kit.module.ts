import { Module, type DynamicModule } from '@nestjs/common';
import { Topics, type TopicSpec } from '@chat/protocol';
import { KafkaHealth, KafkaModule } from '@chat/kafka';
import { Telemetry, telemetry } from '@chat/telemetry';
import { BaseConfig, kafkaSecurityOf } from './config';
import { HealthController } from './health.controller';
import { HeartbeatPublisher } from './heartbeat.publisher';
import { MetricsController } from './metrics.controller';
import { MetricsSamplePublisher } from './metrics-sample.publisher';
import { ReadinessRegistry } from './readiness';
import { SERVICE_IDENTITY, type ServiceIdentity } from './service-identity';

export interface ServiceKitOptions {
  identity: ServiceIdentity;
  /** The service's config (an instance of its `configFrom` class), injectable as that class and as BaseConfig. */
  config: BaseConfig;
  /** Topics this service produces to or consumes from (the heartbeat and metrics topics are added). */
  topics: TopicSpec[];
}

/**
 * What every service has: its identity and config, Kafka, `/healthz`, `/readyz` and `/metrics`,
 * heartbeats and metrics samples. Apps import it once in their root module.
 */
@Module({})
export class ServiceKitModule {
  static forRoot(options: ServiceKitOptions): DynamicModule {
    return {
      module: ServiceKitModule,
      global: true,
      imports: [
        KafkaModule.forRootAsync({
          useFactory: () => ({
            clientId: `${options.identity.service}-${options.identity.instanceId}`,
            brokers: options.config.KAFKA_BROKERS,
            security: kafkaSecurityOf(options.config),
            replicationFactor: options.config.KAFKA_REPLICATION_FACTOR,
            minInsyncReplicas: options.config.KAFKA_MIN_INSYNC_REPLICAS,
            topics: [...options.topics, Topics.heartbeats, Topics.metrics],
          }),
        }),
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: SERVICE_IDENTITY, useValue: options.identity },
        { provide: BaseConfig, useValue: options.config },
        { provide: options.config.constructor, useValue: options.config },
        // The process-wide instance, for code that prefers injection (e.g. the metrics service's own gauges).
        { provide: Telemetry, useValue: telemetry },
        {
          provide: ReadinessRegistry,
          inject: [KafkaHealth],
          useFactory: (kafka: KafkaHealth) => {
            const registry = new ReadinessRegistry();
            registry.register('kafka', async () => {
              const { ready, ...details } = await kafka.readiness();
              return { ok: ready, ...details };
            });
            return registry;
          },
        },
        HeartbeatPublisher,
        MetricsSamplePublisher,
      ],
      exports: [SERVICE_IDENTITY, BaseConfig, options.config.constructor, ReadinessRegistry, Telemetry],
    };
  }
}
