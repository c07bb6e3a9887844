import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InstanceHeartbeat, Topics } from '@chat/protocol';
import { KafkaClient, KafkaProducer } from '@chat/kafka';
import { describeError, PeriodicTask } from '@chat/helpers';
import { BaseConfig } from './config';
import { SERVICE_IDENTITY, type ServiceIdentity } from './service-identity';
import { ReadinessRegistry } from './readiness';

/** Publishes this instance's heartbeat so the metrics service can tell who is alive. */
@Injectable()
export class HeartbeatPublisher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(HeartbeatPublisher.name);
  private readonly schedule: PeriodicTask;

  constructor(
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
    private readonly config: BaseConfig,
    private readonly client: KafkaClient,
    private readonly producer: KafkaProducer,
    private readonly readiness: ReadinessRegistry,
  ) {
    this.schedule = new PeriodicTask(() => this.beat(), {
      intervalMs: config.HEARTBEAT_INTERVAL_MS,
      onError: (error) => this.logger.warn({ msg: 'heartbeat not published', error: describeError(error) }),
    });
  }

  onApplicationBootstrap(): void {
    void this.client.connected().then(() => {
      if (!this.client.abortSignal.aborted) this.schedule.start({ runNow: true });
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.schedule.stop();
  }

  private async beat(): Promise<void> {
    const { ready } = await this.readiness.evaluate();
    const envelope = InstanceHeartbeat.create({
      service: this.identity.service,
      instanceId: this.identity.instanceId,
      startedAt: this.identity.startedAt,
      intervalMs: this.config.HEARTBEAT_INTERVAL_MS,
      ready,
    });
    await this.producer.send(Topics.heartbeats.name, [{ key: this.identity.instanceId, envelope }]);
  }
}
