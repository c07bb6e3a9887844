import { Inject, Injectable, Logger } from '@nestjs/common';
import { encodeServerFrame, type EnvelopeOf, type FrameRouted, type ServerFrameOf } from '@chat/protocol';
import { SERVICE_IDENTITY, type ServiceIdentity } from '@chat/service-kit';
import { ConnectionRegistry } from '../connections/connection-registry';
import { countFrameOut, GatewayMetrics } from '../telemetry/gateway.metrics';

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
        let sockets = 0;
        for (const connection of this.registry.connectionsOf(userId)) if (connection.sendText(text)) sockets += 1;
        if (delivery.frame.type === 'message') countMessage(delivery.frame, userId, sockets, Date.now());
        written += sockets;
      }
    }
    countFrameOut(delivery.frame, written);
    this.logger.debug({ msg: 'frame delivered', frameType: delivery.frame.type, sockets: written });
    return written;
  }
}

/**
 * A live message written to `sockets` sockets of `userId`: delivered to a recipient, or echoed to
 * the sender's other devices. Each recipient socket adds one value to the delivered spans. Answers
 * to a sync (addressed to one connection) are catching up, not live delivery, and are not counted.
 */
function countMessage(frame: ServerFrameOf<'message'>, userId: string, sockets: number, now: number): void {
  const { chat } = GatewayMetrics;
  if (userId === frame.senderId) {
    chat.count('echoed', sockets);
    return;
  }
  chat.count('delivered', sockets);
  for (let i = 0; i < sockets; i += 1) {
    chat.span('stored_to_delivered', frame.storedAt, now);
    chat.span('send_to_delivered', frame.sentAt, now);
  }
}
