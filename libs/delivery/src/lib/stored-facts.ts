import type { ChatEventEnvelope } from '@chat/protocol';
import { fanOut, toConnection, type Delivery, type LocateUser } from './fan-out';

/** What persistence produces for sockets: stored messages and receipts, and answers to commands. */
export type StoredFact = Exclude<ChatEventEnvelope, { type: 'chat.typing-changed' }>;

/**
 * Who receives a stored fact, as deliveries per gateway. Stored facts name their recipients, fixed
 * when persistence committed them; `locate` says where each one is connected now (nowhere: offline,
 * they catch up with `sync`). A command's answer goes back to the one socket that asked, even on a
 * gateway without a known lease yet: it just started and its socket is waiting.
 */
export function deliveriesOfStoredFact(fact: StoredFact, locate: LocateUser): Delivery[] {
  const context = { traceId: fact.traceId, occurredAt: fact.occurredAt };
  switch (fact.type) {
    case 'chat.message-stored':
      // The sender is among the recipients: their other devices show the message too.
      return fanOut({ type: 'message', ...fact.payload.message }, fact.payload.recipientIds, locate, context);
    case 'chat.receipt-stored': {
      const { recipientIds, ...receipt } = fact.payload;
      return fanOut({ type: 'receipt', ...receipt }, recipientIds, locate, context);
    }
    case 'chat.command-answers': {
      // Passed on as one record, so the gateway writes the frames in order without a record each.
      const { replyTo, frames } = fact.payload;
      return [toConnection(frames, replyTo.gatewayId, replyTo.connectionId, context)];
    }
  }
}
