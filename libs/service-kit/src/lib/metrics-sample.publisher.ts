import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { MetricsSample, Topics } from '@chat/protocol';
import { KafkaClient, KafkaProducer } from '@chat/kafka';
import { describeError, PeriodicTask, withTimeout } from '@chat/helpers';
import { Telemetry } from '@chat/telemetry';
import { BaseConfig } from './config';
import { SERVICE_IDENTITY, type ServiceIdentity } from './service-identity';

/** How long the last sample at shutdown may take; the producer's own timeout would be longer. */
const FINAL_SAMPLE_TIMEOUT_MS = 3000;

/**
 * Publishes this instance's figures (`MetricsSample`, key = instance id) on `ops.metrics` every
 * METRICS_SAMPLE_INTERVAL_MS once Kafka is reachable, and once more at shutdown after the consumers
 * stopped, so the counters the metrics service sees last are complete. Samples go out one at a
 * time: latency deltas are taken when a sample is made, so a sample that fails to publish loses
 * its deltas (counters are cumulative and catch up with the next one).
 */
@Injectable()
export class MetricsSamplePublisher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(MetricsSamplePublisher.name);
  private readonly schedule: PeriodicTask;
  private connected = false;
  private publishing: Promise<void> = Promise.resolve();

  constructor(
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
    private readonly config: BaseConfig,
    private readonly telemetry: Telemetry,
    private readonly client: KafkaClient,
    private readonly producer: KafkaProducer,
  ) {
    this.schedule = new PeriodicTask(() => this.publish(), {
      intervalMs: config.METRICS_SAMPLE_INTERVAL_MS,
      onError: (error) => this.logger.warn({ msg: 'metrics sample not published', error: describeError(error) }),
    });
    // Runs when the producer closes: after the consumers stopped (their last counts are in), before the producer flushes.
    producer.beforeClose(() => this.publishFinal());
  }

  onApplicationBootstrap(): void {
    void this.client.connected().then(() => {
      if (this.client.abortSignal.aborted) return;
      this.connected = true;
      this.schedule.start({ runNow: true });
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.schedule.stop();
  }

  /** Makes and publishes one sample after the previous one settled; never rejects. */
  publish(): Promise<void> {
    this.publishing = this.publishing.then(() => this.publishOne());
    return this.publishing;
  }

  private async publishFinal(): Promise<void> {
    await this.schedule.stop();
    if (!this.connected) return;
    await withTimeout(this.publish(), FINAL_SAMPLE_TIMEOUT_MS, 'final metrics sample timed out').catch((error: unknown) =>
      this.logger.warn({ msg: 'final metrics sample not published', error: describeError(error) }),
    );
  }

  private async publishOne(): Promise<void> {
    try {
      const figures = await this.telemetry.snapshotSample();
      const envelope = MetricsSample.create({
        service: this.identity.service,
        instanceId: this.identity.instanceId,
        at: Date.now(),
        intervalMs: this.config.METRICS_SAMPLE_INTERVAL_MS,
        ...figures,
      });
      await this.producer.send(Topics.metrics.name, [{ key: this.identity.instanceId, envelope }]);
    } catch (error) {
      this.logger.warn({ msg: 'metrics sample not published', error: describeError(error) });
    }
  }
}
