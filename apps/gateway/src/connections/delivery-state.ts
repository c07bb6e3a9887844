import { Inject, Injectable } from '@nestjs/common';
import { forInstance, INSTANCE_ID_PLACEHOLDER, KafkaConsumerFactory } from '@chat/kafka';
import { SERVICE_IDENTITY, type ServiceIdentity } from '@chat/service-kit';

/** The group of this gateway's delivery consumer (DeliveryConsumer), one per gateway. */
export const DELIVERY_GROUP = `gateway.${INSTANCE_ID_PLACEHOLDER}`;

/**
 * Whether this gateway's delivery consumer is in its group. Until it is, frames routed here would
 * not be read, so new sockets are refused with 1013 (try again later) instead of being accepted and
 * left without answers, e.g. while a restarted gateway waits for its previous run's session to expire.
 * Asked at each handshake, it reads the consumer's own state then: nothing polls it.
 */
@Injectable()
export class DeliveryState {
  private readonly groupId: string;

  constructor(
    private readonly consumers: KafkaConsumerFactory,
    @Inject(SERVICE_IDENTITY) identity: ServiceIdentity,
  ) {
    this.groupId = forInstance(DELIVERY_GROUP, identity.instanceId);
  }

  get accepting(): boolean {
    return this.consumers.statusOf(this.groupId)?.joined ?? false;
  }
}
