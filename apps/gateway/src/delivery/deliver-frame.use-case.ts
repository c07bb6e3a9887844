import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EnvelopeOf, FrameRouted, ServerFrameOf } from '@chat/protocol';
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
    // Validated when the record was decoded; encoded once, and the same bytes go to every socket.
    const encoded = Buffer.from(JSON.stringify(delivery.frame));
    let written = 0;
    if ('connectionId' in delivery.target) {
      if (this.registry.get(delivery.target.connectionId)?.sendText(encoded)) written += 1;
    } else {
      const frame = delivery.frame.type === 'message' ? delivery.frame : undefined;
      let delivered = 0;
      for (const userId of delivery.target.userIds) {
        let sockets = 0;
        for (const connection of this.registry.connectionsOf(userId)) if (connection.sendText(encoded)) sockets += 1;
        if (frame && userId !== frame.senderId) delivered += sockets;
        else if (frame) GatewayMetrics.chat.count('echoed', sockets);
        written += sockets;
      }
      if (frame) countDelivered(frame, delivered, Date.now());
    }
    countFrameOut(delivery.frame, written);
    this.logger.debug({ msg: 'frame delivered', frameType: delivery.frame.type, sockets: written });
    return written;
  }
}

/**
 * A live message written to `sockets` recipient sockets (the sender's other devices count as
 * `echoed` instead). Each recipient socket adds one value to the delivered spans. Answers to a sync
 * (addressed to one connection) are catching up, not live delivery, and are not counted.
 */
function countDelivered(frame: ServerFrameOf<'message'>, sockets: number, now: number): void {
  if (sockets <= 0) return;
  const { chat } = GatewayMetrics;
  chat.count('delivered', sockets);
  chat.span('stored_to_delivered', frame.storedAt, now, sockets);
  chat.span('send_to_delivered', frame.sentAt, now, sockets);
}
