import { Injectable, Logger } from '@nestjs/common';
import type { FramesRoutedPayload, ServerFrame, ServerFrameOf } from '@chat/protocol';
import { ConnectionRegistry } from '../connections/connection-registry';
import { countFrameOut, GatewayMetrics } from '../telemetry/gateway.metrics';
import { EncodedFrame } from './encoded-frame';

/**
 * Writes routed frames to their local sockets, in order: every connection of the target users, the
 * one connection a request came from (its answers: one, or a sync's `message` frames and then its
 * `synced`), or every connection of this gateway (a broadcast: announcements). Each frame is encoded
 * once per codec (EncodedFrame), whatever the number of sockets. Targets that are not
 * (or no longer) here are skipped, and a socket closed partway as a slow consumer gets nothing more:
 * their clients catch up with `sync` on reconnect.
 */
@Injectable()
export class DeliverFrames {
  private readonly logger = new Logger(DeliverFrames.name);

  constructor(private readonly registry: ConnectionRegistry) {}

  /** Returns how many frames were written, counting each socket. */
  execute({ target, frames }: FramesRoutedPayload): number {
    let written = 0;
    if ('connectionId' in target) {
      const connection = this.registry.get(target.connectionId);
      if (connection) {
        // Validated when the record was decoded, so encoded without checking again.
        for (const frame of frames) {
          if (!connection.sendEncoded(connection.codec.encodeValidServer(frame))) break;
          countFrameOut(frame);
          written += 1;
        }
      }
    } else if ('everyone' in target) {
      for (const frame of frames) written += this.toEveryone(frame);
    } else {
      for (const frame of frames) written += this.toUsers(frame, target.userIds);
    }
    this.logger.debug({ msg: 'frames delivered', frames: frames.length, written });
    return written;
  }

  /** One frame to every local socket of these users: encoded once per codec, the same bytes to each. */
  private toUsers(frame: ServerFrame, userIds: readonly string[]): number {
    const encoded = new EncodedFrame(frame);
    const message = frame.type === 'message' ? frame : undefined;
    let written = 0;
    let delivered = 0;
    for (const userId of userIds) {
      let sockets = 0;
      for (const connection of this.registry.connectionsOf(userId)) if (connection.sendEncoded(encoded.in(connection.codec))) sockets += 1;
      if (message && userId !== message.senderId) delivered += sockets;
      else if (message) GatewayMetrics.chat.count('echoed', sockets);
      written += sockets;
    }
    if (message) countDelivered(message, delivered, Date.now());
    countFrameOut(frame, written);
    return written;
  }

  /** One frame to every socket of this gateway, encoded once per codec. */
  private toEveryone(frame: ServerFrame): number {
    const encoded = new EncodedFrame(frame);
    let written = 0;
    for (const connection of this.registry.all()) if (connection.sendEncoded(encoded.in(connection.codec))) written += 1;
    countFrameOut(frame, written);
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
