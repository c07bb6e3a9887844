import { Inject, Injectable, Logger } from '@nestjs/common';
import { encodeServerFrame, type EnvelopeOf, type FrameRouted } from '@chat/protocol';
import { SERVICE_IDENTITY, type ServiceIdentity } from '@chat/service-kit';
import { ConnectionRegistry } from '../connections/connection-registry';

export type Delivery = EnvelopeOf<typeof FrameRouted>['payload'];

/**
 * Writes a routed frame to its local sockets: every connection of the target users, or the one
 * connection a request came from. The frame is encoded once, whatever the number of sockets. Targets
 * that are not (or no longer) here are skipped: their clients catch up with `sync` on reconnect.
 */
@Injectable()
export class DeliverFrame {
  private readonly logger = new Logger(DeliverFrame.name);

  constructor(
    private readonly registry: ConnectionRegistry,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
  ) {}

  /** Returns how many sockets the frame was written to. */
  execute(delivery: Delivery): number {
    if (delivery.gatewayId !== this.identity.instanceId) {
      this.logger.warn({ msg: 'delivery for another gateway dropped', gatewayId: delivery.gatewayId, frameType: delivery.frame.type });
      return 0;
    }
    const text = encodeServerFrame(delivery.frame);
    let written = 0;
    if ('connectionId' in delivery.target) {
      if (this.registry.get(delivery.target.connectionId)?.sendText(text)) written += 1;
    } else {
      for (const userId of delivery.target.userIds) {
        for (const connection of this.registry.connectionsOf(userId)) if (connection.sendText(text)) written += 1;
      }
    }
    this.logger.debug({ msg: 'frame delivered', frameType: delivery.frame.type, sockets: written });
    return written;
  }
}
