import { Inject, Injectable, Logger } from '@nestjs/common';
import { errorFrameFor, newTraceId, ProtocolError, type ClientFrame, type ClientFrameType } from '@chat/protocol';
import { describeError } from '@chat/helpers';
import { runWithTrace } from '@chat/logging';
import { SERVICE_IDENTITY, type ServiceIdentity } from '@chat/service-kit';
import { GatewayConfig, userRateBurst, userRatePerSecond } from '../config';
import type { ClientConnection } from '../connections/client-connection';
import { RECORD_PUBLISHER, type RecordPublisher } from '../publishing/record-publisher';
import { GatewayMetrics } from '../telemetry/gateway.metrics';
import { recordForFrame, type FrameRecord, type RecordFrame } from './frame-records';
import { ReadQuota } from './read-quota';

/** Frames only an administrator (the token's `role`) may send, and what anyone else is told (`forbidden`). */
const ADMIN_ONLY: Partial<Record<ClientFrameType, string>> = { announce: 'only administrators may send announcements' };

/**
 * One frame from a client, already decoded and validated by the socket adapter (parseClientFrame):
 * apply the rate limit, then answer `ping` here, refuse what only administrators may send to anyone
 * else (`forbidden`), and turn everything else into a Kafka record. A
 * `send` is answered `accepted` once Kafka has it, or `unavailable` if not (the client retries with
 * the same clientMsgId; persistence deduplicates). A frame that could not be read is answered with
 * an error naming the field (`reject`).
 *
 * Nothing is awaited before the record is handed to the producer, so the frames of one socket reach
 * Kafka in the order they were sent.
 */
@Injectable()
export class HandleClientFrame {
  private readonly logger = new Logger(HandleClientFrame.name);

  constructor(
    @Inject(RECORD_PUBLISHER) private readonly publisher: RecordPublisher,
    private readonly config: GatewayConfig,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
    private readonly readQuota: ReadQuota,
  ) {}

  async execute(connection: ClientConnection, frame: ClientFrame, receivedAt: number): Promise<void> {
    // Every frame costs a token, readable or not (see reject), so garbage cannot be sent faster than requests.
    const rate = connection.takeRateToken(receivedAt);
    GatewayMetrics.framesIn.inc({ type: frame.type });
    connection.recordValidFrame();
    if (rate !== 'ok') {
      connection.sendFrame({ type: 'error', ...(frame.id === undefined ? {} : { replyTo: frame.id }), code: 'rate_limited', message: this.rateLimitedMessage(rate) });
      return;
    }
    if (frame.type === 'ping') {
      connection.sendFrame({ type: 'pong', ...(frame.id === undefined ? {} : { replyTo: frame.id }) });
      return;
    }
    // Reads also count against their user's quota (all sockets together), before they cost Kafka or the database.
    if (!this.readQuota.admit(connection, frame, receivedAt)) return;
    const adminOnly = ADMIN_ONLY[frame.type];
    if (adminOnly !== undefined && connection.role !== 'admin') {
      this.logger.debug({ msg: 'frame forbidden: not an administrator', frameType: frame.type, connectionId: connection.id });
      connection.sendFrame({ type: 'error', replyTo: frame.id, code: 'forbidden', message: adminOnly });
      return;
    }
    const traceId = newTraceId();
    await runWithTrace(traceId, () => this.forward(frame, connection, traceId, receivedAt));
  }

  private async forward(frame: RecordFrame, connection: ClientConnection, traceId: string, receivedAt: number): Promise<void> {
    let record: FrameRecord;
    try {
      record = recordForFrame(frame, { userId: connection.userId, gatewayId: this.identity.instanceId, connectionId: connection.id, traceId, receivedAt });
    } catch (error) {
      // A well-formed frame asking for something impossible (a direct conversation with yourself).
      if (!(error instanceof ProtocolError)) throw error;
      connection.sendFrame(errorFrameFor(error.withRequestId(frame.id)));
      return;
    }
    try {
      await this.publisher.publish(record.topic, [{ key: record.key, envelope: record.envelope }]);
    } catch (error) {
      this.logger.warn({ msg: 'frame not forwarded: kafka unavailable', frameType: frame.type, connectionId: connection.id, error: describeError(error) });
      const message = frame.type === 'send' ? 'message not accepted; retry with the same clientMsgId' : 'request not carried out; retry with backoff';
      connection.sendFrame({ type: 'error', replyTo: frame.id, code: 'unavailable', message });
      return;
    }
    this.logger.debug({ msg: 'frame forwarded', frameType: frame.type, recordType: record.envelope.type, topic: record.topic, connectionId: connection.id });
    if (frame.type === 'send') {
      GatewayMetrics.chat.count('accepted');
      GatewayMetrics.chat.span('send_to_accepted', receivedAt, Date.now());
      connection.sendFrame({ type: 'accepted', replyTo: frame.id, conversationId: frame.conversationId, clientMsgId: frame.clientMsgId });
    }
  }

  /** Names the limit a frame was over: this socket's or the user's over all their sockets. */
  private rateLimitedMessage(limit: 'connection' | 'user'): string {
    return limit === 'connection'
      ? `more than ${this.config.WS_RATE_PER_SECOND} frames per second on this connection (burst ${this.config.WS_RATE_BURST}); request dropped, retry with backoff`
      : `more than ${userRatePerSecond(this.config)} frames per second from this user over all connections (burst ${userRateBurst(this.config)}); request dropped, retry with backoff`;
  }

  /** Answers an unreadable frame with an error naming the field; too many in a row end the session. */
  reject(connection: ClientConnection, error: ProtocolError, receivedAt: number): void {
    connection.takeRateToken(receivedAt);
    GatewayMetrics.framesIn.inc({ type: 'invalid' });
    this.logger.debug({ msg: 'frame rejected', connectionId: connection.id, code: error.code, field: error.field });
    connection.sendFrame(errorFrameFor(error));
    if (connection.recordInvalidFrame()) {
      this.logger.warn({ msg: 'closing connection: too many invalid frames in a row', connectionId: connection.id, userId: connection.userId });
      connection.close('policy_violation', 'too many invalid frames');
    }
  }
}
