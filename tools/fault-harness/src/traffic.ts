import { ChatRequestError } from '@chat/client-sdk';
import type { ChatMessage } from '@chat/protocol';
import type { SeededRandom } from '@chat/testing';
import type { Device } from './device';
import type { HarnessConversation } from './population';
import type { SendRecord } from './records';

/** Every send of the run, as the sending devices saw it. */
export class SendLog {
  readonly records: SendRecord[] = [];
  private readonly byKey = new Map<string, SendRecord>();
  private counter = 0;

  private static key(conversationId: string, senderId: string, clientMsgId: string): string {
    return `${conversationId}/${senderId}/${clientMsgId}`;
  }

  /** Sends `body` from `device` with a fresh clientMsgId and logs what becomes of it. */
  send(device: Device, conversationId: string, body: string, prefix = 'm'): SendRecord {
    const clientMsgId = `${prefix}-${++this.counter}`;
    const record: SendRecord = { clientMsgId, senderId: device.userId, deviceId: device.deviceId, conversationId, sentAt: Date.now(), outcome: 'pending' };
    this.records.push(record);
    this.byKey.set(SendLog.key(conversationId, device.userId, clientMsgId), record);
    device.client.send(conversationId, body, { clientMsgId }).then(
      (result) => {
        record.acceptedAt ??= Date.now();
        if (result.seq !== undefined) record.seq ??= result.seq;
        if (record.outcome === 'pending') record.outcome = 'accepted';
        // After `accepted` only a refusal can fail the stored copy's wait: persistence gave up on it (not_stored).
        device.client.waitForStored(conversationId, clientMsgId).catch((error: unknown) => {
          if (!(error instanceof ChatRequestError) || record.outcome === 'stored') return;
          record.outcome = error.code === 'not_stored' ? 'not_stored' : 'failed';
          record.error = error.message;
        });
      },
      (error: unknown) => {
        if (record.acceptedAt !== undefined || record.outcome === 'stored') return;
        record.outcome = 'failed';
        record.error = error instanceof Error ? error.message : String(error);
      },
    );
    return record;
  }

  /** A stored message of its sender came back to one of the sender's devices: the send has its seq. */
  noteStored(message: ChatMessage): void {
    const record = this.byKey.get(SendLog.key(message.conversationId, message.senderId, message.clientMsgId));
    if (!record) return;
    record.seq ??= message.seq;
    record.outcome = 'stored';
  }

  /** Sends still waiting for `accepted` or for their stored copy. */
  unsettled(): SendRecord[] {
    return this.records.filter((record) => record.outcome === 'pending' || record.outcome === 'accepted');
  }
}

/** Short bodies (≤ 200 characters): the run is about counting messages, not moving bytes. */
function body(random: SeededRandom, counter: number): string {
  const text = `msg ${counter} `;
  return text + 'x'.repeat(random.int(10, 200 - text.length));
}

/**
 * Sends `rate` messages per second from random members' devices into random conversations, half
 * direct and half group (when there are groups), until stopped.
 */
export class TrafficDriver {
  private timer: ReturnType<typeof setInterval> | undefined;
  private owed = 0;
  private sent = 0;

  constructor(
    private readonly log: SendLog,
    private readonly conversations: HarnessConversation[],
    private readonly rate: number,
    private readonly random: SeededRandom,
  ) {}

  get count(): number {
    return this.sent;
  }

  start(): void {
    const tickMs = 100;
    const direct = this.conversations.filter((conversation) => conversation.kind === 'direct');
    const groups = this.conversations.filter((conversation) => conversation.kind === 'group');
    this.timer = setInterval(() => {
      this.owed += (this.rate * tickMs) / 1000;
      for (; this.owed >= 1; this.owed -= 1) {
        const pool = groups.length > 0 && this.random.next() < 0.5 ? groups : direct;
        const conversation = this.random.pick(pool);
        const device = this.random.pick(this.random.pick(conversation.members).devices);
        // A device closed for good (it never is in a healthy run) cannot queue; the checker counts what was sent.
        if (device.client.state === 'closed') continue;
        this.sent += 1;
        this.log.send(device, conversation.conversationId, body(this.random, this.sent));
      }
    }, tickMs);
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
