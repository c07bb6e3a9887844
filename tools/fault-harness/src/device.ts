import type WebSocket from 'ws';
import { ChatClient, type SocketFactory, type TokenProvider } from '@chat/client-sdk';
import { nodeSocketFactory } from '@chat/client-sdk/node';
import type { ChatMessage } from '@chat/protocol';
import type { Delivery, DeviceLog } from './records';

/**
 * The SDK's Node sockets, with the current one kept in hand to stop reading it: a slow consumer whose
 * kernel buffers, then the gateway's backlog, fill.
 */
export class PausableSockets {
  private current: WebSocket | undefined;

  readonly factory: SocketFactory = nodeSocketFactory({ onSocket: (socket) => (this.current = socket) });

  /** Stops reading the TCP socket (ws pauses its net.Socket); frames and the close wait in the kernel. */
  pause(): void {
    this.current?.pause();
  }

  resume(): void {
    this.current?.resume();
  }
}

/** One device of a user: an SDK client whose every delivered message is logged. */
export class Device {
  readonly client: ChatClient;
  readonly sockets = new PausableSockets();
  readonly deliveries: Delivery[] = [];
  /** Close codes of sockets that ended under this device, in order. */
  readonly closeCodes: number[] = [];
  private readonly ownMessageListeners: Array<(message: ChatMessage) => void> = [];

  constructor(
    readonly deviceId: string,
    readonly userId: string,
    readonly gatewayIndex: number,
  ) {
    this.client = new ChatClient({
      socketFactory: this.sockets.factory,
      userId,
      requestTimeoutMs: 20_000,
      // Outages of a minute or more are part of the run: sends wait in the outbox meanwhile.
      storedTimeoutMs: 600_000,
      maxSendAttempts: 100,
      connectTimeoutMs: 60_000,
      reconnect: { minDelayMs: 200, maxDelayMs: 3_000 },
    });
    this.client.on('message', (message) => {
      this.deliveries.push({
        conversationId: message.conversationId,
        seq: message.seq,
        messageId: message.messageId,
        senderId: message.senderId,
        clientMsgId: message.clientMsgId,
        at: Date.now(),
      });
      if (message.senderId === userId) for (const listener of this.ownMessageListeners) listener(message);
    });
    this.client.on('state', (change) => {
      if (change.state === 'reconnecting' && change.closeCode !== undefined) this.closeCodes.push(change.closeCode);
    });
    // Errors the SDK reports without a request waiting (failed catch-up, sync without progress)
    // recover by themselves; the checker judges the outcome, so they are not fatal here.
    this.client.on('error', () => undefined);
  }

  connect(url: string, tokens: TokenProvider): Promise<void> {
    return this.client.connect(url, tokens);
  }

  /** Called with each message this device's user sent (from any of its devices) once stored. */
  onOwnMessage(listener: (message: ChatMessage) => void): void {
    this.ownMessageListeners.push(listener);
  }

  get ready(): boolean {
    return this.client.state === 'ready';
  }

  hasDelivered(conversationId: string, clientMsgId: string): boolean {
    return this.deliveries.some((delivery) => delivery.conversationId === conversationId && delivery.clientMsgId === clientMsgId);
  }

  log(): DeviceLog {
    return { deviceId: this.deviceId, userId: this.userId, deliveries: this.deliveries, redelivered: this.client.stats.duplicatesDropped };
  }
}
