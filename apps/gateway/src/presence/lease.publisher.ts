import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { GatewayLeaseRenewed, Topics } from '@chat/protocol';
import { describeError, withTimeout } from '@chat/helpers';
import { SERVICE_IDENTITY, type ServiceIdentity } from '@chat/service-kit';
import { GatewayConfig } from '../config';
import { RECORD_PUBLISHER, type RecordPublisher } from '../publishing/record-publisher';

/**
 * Renewals further apart than this share of the ttl mean the lease may have run out in the router's
 * eyes (it judges by its own clock and may read the renewal late), so messages may have been routed
 * past this gateway's sockets meanwhile.
 */
const LAPSE_SHARE_OF_TTL = 5 / 6;

/**
 * This gateway's lease on `chat.gateways`: "alive until at + ttl", renewed every third of the ttl so
 * one lost renewal does not expire it. The router stops routing to a gateway whose lease ran out
 * (a crash) and forgets it at once on the tombstone written at shutdown. When Kafka was away long
 * enough for the lease to lapse, the next renewal tells the lapse listeners, so the gateway can make
 * its clients reconnect and catch up on what was routed past them.
 */
@Injectable()
export class LeasePublisher implements OnApplicationBootstrap {
  private readonly logger = new Logger(LeasePublisher.name);
  private timer: NodeJS.Timeout | undefined;
  private renewing: Promise<void> | null = null;
  private released = false;
  private readonly firstRenewal: Promise<void>;
  private markRenewed!: () => void;
  /** `at` of the newest renewal Kafka acknowledged. */
  private acknowledgedAt: number | undefined;
  /** `at` of the last renewal before a lapse, until listeners were told of it. */
  private lapsedSince: number | undefined;
  private readonly lapseListeners: Array<(gapMs: number) => void> = [];

  constructor(
    @Inject(RECORD_PUBLISHER) private readonly publisher: RecordPublisher,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
    private readonly config: GatewayConfig,
  ) {
    this.firstRenewal = new Promise((resolve) => (this.markRenewed = resolve));
  }

  onApplicationBootstrap(): void {
    this.renew();
    this.timer = setInterval(() => this.renew(), Math.floor(this.config.GATEWAY_LEASE_TTL_MS / 3));
    this.timer.unref();
  }

  /** Resolves once this run's lease is in Kafka, so no presence record of the run precedes it. */
  renewed(): Promise<void> {
    return this.firstRenewal;
  }

  /** Called after a renewal that followed a gap long enough for the lease to have lapsed. */
  onLapse(listener: (gapMs: number) => void): void {
    this.lapseListeners.push(listener);
  }

  /** Stops renewing and withdraws the lease (shutdown). */
  async release(timeoutMs: number): Promise<void> {
    this.released = true;
    clearInterval(this.timer);
    try {
      await withTimeout(
        (async () => {
          await this.renewing;
          await this.publisher.tombstone(Topics.gateways.name, [this.identity.instanceId]);
        })(),
        timeoutMs,
        `lease tombstone not acknowledged within ${timeoutMs} ms`,
      );
      this.logger.log({ msg: 'lease released', gatewayId: this.identity.instanceId });
    } catch (error) {
      // The router still forgets this gateway once the lease runs out.
      this.logger.warn({ msg: 'lease not released; it will expire', error: describeError(error) });
    }
  }

  private renew(): void {
    // A renewal still waiting for Kafka is not doubled; the next tick tries again.
    if (this.renewing || this.released) return;
    const at = Date.now();
    const envelope = GatewayLeaseRenewed.create({
      gatewayId: this.identity.instanceId,
      startedAt: this.identity.startedAt,
      at,
      ttlMs: this.config.GATEWAY_LEASE_TTL_MS,
    });
    this.renewing = this.publisher
      .publish(Topics.gateways.name, [{ key: this.identity.instanceId, envelope }])
      .then(
        () => this.acknowledged(at),
        (error: unknown) => this.logger.warn({ msg: 'lease not renewed', error: describeError(error) }),
      )
      .finally(() => (this.renewing = null));
  }

  private acknowledged(at: number): void {
    this.markRenewed();
    const now = Date.now();
    const previous = this.acknowledgedAt;
    this.acknowledgedAt = Math.max(at, previous ?? at);
    const threshold = this.config.GATEWAY_LEASE_TTL_MS * LAPSE_SHARE_OF_TTL;
    if (previous !== undefined && now - previous > threshold) this.lapsedSince ??= previous;
    if (this.lapsedSince === undefined) return;
    if (now - at > threshold / 2) {
      // This renewal sat in the producer through the outage and may be stale on arrival: renew
      // afresh, and tell the listeners once a current lease is in Kafka.
      setTimeout(() => this.renew(), 0).unref();
      return;
    }
    const gapMs = at - this.lapsedSince;
    this.lapsedSince = undefined;
    this.logger.warn({ msg: 'lease renewed after a lapse', gatewayId: this.identity.instanceId, gapMs });
    for (const listener of this.lapseListeners) listener(gapMs);
  }
}
