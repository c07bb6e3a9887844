import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AnswersRouted, EnvelopeOf } from '@chat/protocol';
import { SERVICE_IDENTITY, type ServiceIdentity } from '@chat/service-kit';
import { ConnectionRegistry } from '../connections/connection-registry';
import { countFrameOut } from '../telemetry/gateway.metrics';

export type AnswersDelivery = EnvelopeOf<typeof AnswersRouted>['payload'];

/**
 * Writes several answers to the one socket that asked (a sync's `message` frames, then its
 * `synced`), one WebSocket frame each and in order: the client cannot tell them from answers that
 * came one record each. A socket that is gone, or is closed partway as a slow consumer, gets
 * nothing more: its client reconnects and syncs again.
 */
@Injectable()
export class DeliverAnswers {
  private readonly logger = new Logger(DeliverAnswers.name);

  constructor(
    private readonly registry: ConnectionRegistry,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
  ) {}

  /** Returns how many of the frames were written. */
  execute(delivery: AnswersDelivery): number {
    if (delivery.gatewayId !== this.identity.instanceId) {
      this.logger.warn({ msg: 'answers for another gateway dropped', gatewayId: delivery.gatewayId, frames: delivery.frames.length });
      return 0;
    }
    const connection = this.registry.get(delivery.target.connectionId);
    let written = 0;
    if (connection) {
      // Validated when the record was decoded, so encoded without checking again.
      for (const frame of delivery.frames) {
        if (!connection.sendText(JSON.stringify(frame))) break;
        countFrameOut(frame);
        written += 1;
      }
    }
    this.logger.debug({ msg: 'answers delivered', frames: delivery.frames.length, written });
    return written;
  }
}
