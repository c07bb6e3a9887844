import { Inject, Injectable, Logger, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { Kafka, type Admin } from 'kafkajs';
import { backoffDelay, describeError, sleep, withTimeout } from '@chat/helpers';
import { KAFKA_OPTIONS, type KafkaModuleOptions } from './kafka.options';
import { KAFKA_CLIENT_SETTINGS } from './kafka-settings';
import { describeKafkaSecurity, kafkaJsSecurity, PLAINTEXT_SECURITY } from './kafka-security';
import { kafkajsLogCreator } from './kafkajs-logger';
import { provisionTopics } from './topic-provisioner';

/**
 * The service's connection to Kafka. Connecting happens in the background with backoff, so the
 * process starts, answers liveness and reports "not ready" while the broker is away, instead of
 * crashing in a loop. Producer and consumers wait on `connected()` before they use the broker.
 */
@Injectable()
export class KafkaClient implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly kafka: Kafka;
  readonly admin: Admin;
  private readonly logger = new Logger(KafkaClient.name);
  private readonly stopping = new AbortController();
  private connectedOnce: Promise<void>;
  private resolveConnected!: () => void;
  private lastHealth: { at: number; ok: boolean; error?: string } = { at: 0, ok: false, error: 'not connected yet' };
  private readonly shutdownSteps: Array<() => Promise<void>> = [];

  constructor(@Inject(KAFKA_OPTIONS) readonly options: KafkaModuleOptions) {
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      logCreator: kafkajsLogCreator,
      ...KAFKA_CLIENT_SETTINGS,
      ...kafkaJsSecurity(options.security),
    });
    this.admin = this.kafka.admin();
    this.connectedOnce = new Promise((resolve) => (this.resolveConnected = resolve));
  }

  onApplicationBootstrap(): void {
    void this.connectLoop();
  }

  /** Resolves once the broker was reached and this service's topics exist. */
  connected(): Promise<void> {
    return this.connectedOnce;
  }

  get abortSignal(): AbortSignal {
    return this.stopping.signal;
  }

  /** Registers work for shutdown, run in reverse order of registration (consumers before producer). */
  onShutdown(step: () => Promise<void>): void {
    this.shutdownSteps.push(step);
  }

  /** Readiness: a cheap cluster round trip, cached for a second so probes don't hammer the broker. */
  async isReachable(): Promise<{ ok: boolean; error?: string }> {
    if (this.stopping.signal.aborted) return { ok: false, error: 'shutting down' };
    if (Date.now() - this.lastHealth.at < 1000) return this.lastHealth;
    try {
      await withTimeout(this.admin.describeCluster(), 2000, 'describeCluster timed out');
      this.lastHealth = { at: Date.now(), ok: true };
    } catch (error) {
      this.lastHealth = { at: Date.now(), ok: false, error: describeError(error) };
    }
    return this.lastHealth;
  }

  private async connectLoop(): Promise<void> {
    for (let attempt = 1; !this.stopping.signal.aborted; attempt += 1) {
      try {
        await this.admin.connect();
        const created = await provisionTopics(this.admin, this.options.topics, this.options);
        this.logger.log({ msg: 'kafka connected', brokers: this.options.brokers, security: describeKafkaSecurity(this.options.security ?? PLAINTEXT_SECURITY), topicsCreated: created.length });
        this.resolveConnected();
        return;
      } catch (error) {
        const delay = backoffDelay(attempt, { initialMs: 500, maxMs: 10000 });
        this.logger.warn({ msg: 'kafka not reachable, retrying', attempt, retryInMs: delay, error: describeError(error) });
        await sleep(delay, this.stopping.signal);
      }
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    for (const step of [...this.shutdownSteps].reverse()) {
      try {
        await step();
      } catch (error) {
        this.logger.error({ msg: 'kafka shutdown step failed', error: describeError(error) });
      }
    }
    await this.admin.disconnect();
    this.logger.log('kafka disconnected');
  }
}
