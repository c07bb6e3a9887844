import type { CheckInput, Delivery, StoredMessage } from './records';

/*
 * The reconciliation at the end of a run: the clients' own logs against the database. Pure: the
 * same input gives the same report, so its tests can feed it deliberately broken runs.
 */

export type ViolationKind =
  /** A send the gateway accepted has no row in the database. */
  | 'lost_accepted'
  /** More than one row for one (conversation, sender, clientMsgId), one message id, or one seq. */
  | 'duplicate_stored'
  /** A seq missing between 1 and the conversation's highest, or last_seq beyond the highest row. */
  | 'seq_gap'
  /** The seq the sender was told differs from the stored row's. */
  | 'seq_mismatch'
  /** A member's device never got a stored message of its conversation. */
  | 'missing_delivery'
  /** A device got one seq of a conversation twice (after the SDK's dedupe). */
  | 'duplicate_delivery'
  /** A device got a seq after a higher one of the same conversation. */
  | 'out_of_order'
  /** A device got a message the database does not hold (or holds under another id). */
  | 'delivery_mismatch'
  /** A device got a message of a conversation its user is not a member of. */
  | 'not_member_delivery'
  /** An accepted send sits in chat.commands.dlq: persistence gave up on a message its sender was told is safe. */
  | 'dead_lettered_accepted'
  /** The system did not serve fully again after a fault within the harness's deadline. */
  | 'not_recovered';

export interface Violation {
  kind: ViolationKind;
  conversationId?: string;
  seq?: number;
  deviceId?: string;
  clientMsgId?: string;
  detail: string;
}

export interface CheckReport {
  /** Sends the gateway accepted (durable in Kafka). */
  accepted: number;
  /** Sends the SDK gave up on before any `accepted` (the user saw a failure; not a loss). */
  sendFailures: number;
  /** Rows in `messages`. */
  stored: number;
  /** Stored rows whose `accepted` the sender never saw (e.g. the gateway died after Kafka acknowledged). */
  storedWithoutAcceptance: number;
  /** Rows beyond the first per (conversation, sender, clientMsgId). */
  duplicatesStored: number;
  /** Seqs missing from 1..last_seq, over all conversations. */
  seqGaps: number;
  /** Stored messages times the member devices that must have them. */
  deliveriesExpected: number;
  /** Distinct (device, conversation, seq) the devices got that match a stored message. */
  delivered: number;
  /** Accepted but not stored, plus stored but missing at a member device. */
  lost: number;
  outOfOrder: number;
  /** Seqs a device got twice although the SDK deduplicates. */
  duplicateDeliveries: number;
  /** Duplicates the SDK dropped (at-least-once delivery at work). */
  redelivered: number;
  /** Send commands in chat.commands.dlq. */
  deadLetteredSends: number;
  /** Of those, sends the sender saw accepted: must be 0. */
  deadLetteredAccepted: number;
  /** Of those, the ones whose sender was then told `not_stored` (the rest were dropped in silence). */
  deadLetteredAcceptedTold: number;
}

export interface CheckResult {
  report: CheckReport;
  violations: Violation[];
}

const key = (...parts: Array<string | number>): string => parts.join('\u0000');

export function check(input: CheckInput): CheckResult {
  const violations: Violation[] = [];
  const byIdempotencyKey = new Map<string, StoredMessage[]>();
  const bySeq = new Map<string, StoredMessage>();
  const seqsByConversation = new Map<string, number[]>();
  let duplicatesStored = 0;

  // Storage: exactly once per idempotency key, one row per message id and per seq.
  const seenMessageIds = new Set<string>();
  for (const row of input.stored) {
    const idempotency = key(row.conversationId, row.senderId, row.clientMsgId);
    const rows = byIdempotencyKey.get(idempotency) ?? [];
    rows.push(row);
    byIdempotencyKey.set(idempotency, rows);
    if (rows.length > 1) {
      duplicatesStored += 1;
      violations.push({
        kind: 'duplicate_stored',
        conversationId: row.conversationId,
        seq: row.seq,
        clientMsgId: row.clientMsgId,
        detail: `clientMsgId ${row.clientMsgId} of ${row.senderId} stored ${rows.length} times (seqs ${rows.map((r) => r.seq).join(', ')})`,
      });
    }
    if (seenMessageIds.has(row.messageId)) {
      violations.push({ kind: 'duplicate_stored', conversationId: row.conversationId, seq: row.seq, detail: `message id ${row.messageId} stored more than once` });
    }
    seenMessageIds.add(row.messageId);
    const seqKey = key(row.conversationId, row.seq);
    if (bySeq.has(seqKey)) violations.push({ kind: 'duplicate_stored', conversationId: row.conversationId, seq: row.seq, detail: `seq ${row.seq} stored more than once` });
    bySeq.set(seqKey, row);
    const seqs = seqsByConversation.get(row.conversationId) ?? [];
    seqs.push(row.seq);
    seqsByConversation.set(row.conversationId, seqs);
  }

  // Dense seqs: exactly 1..last_seq in every conversation.
  let seqGaps = 0;
  const lastSeqOf = new Map<string, number>();
  for (const conversation of input.conversations) lastSeqOf.set(conversation.conversationId, conversation.lastSeq);
  for (const conversationId of seqsByConversation.keys()) if (!lastSeqOf.has(conversationId)) lastSeqOf.set(conversationId, 0);
  for (const [conversationId, lastSeq] of lastSeqOf) {
    const present = new Set(seqsByConversation.get(conversationId) ?? []);
    const highest = Math.max(lastSeq, ...present);
    for (let seq = 1; seq <= highest; seq += 1) {
      if (present.has(seq)) continue;
      seqGaps += 1;
      violations.push({ kind: 'seq_gap', conversationId, seq, detail: `seq ${seq} missing (conversation at ${highest})` });
    }
  }

  // Every accepted send stored, with the seq its sender was told.
  let accepted = 0;
  let sendFailures = 0;
  const acceptedKeys = new Set<string>();
  let lostAccepted = 0;
  for (const send of input.sends) {
    if (send.outcome === 'failed' && send.acceptedAt === undefined) sendFailures += 1;
    if (send.acceptedAt === undefined && send.outcome !== 'stored') continue;
    accepted += 1;
    const idempotency = key(send.conversationId, send.senderId, send.clientMsgId);
    acceptedKeys.add(idempotency);
    const rows = byIdempotencyKey.get(idempotency);
    if (!rows) {
      lostAccepted += 1;
      violations.push({
        kind: 'lost_accepted',
        conversationId: send.conversationId,
        seq: send.seq,
        deviceId: send.deviceId,
        clientMsgId: send.clientMsgId,
        detail: `accepted at ${send.acceptedAt ?? '?'} by ${send.deviceId}${send.seq === undefined ? '' : ` (told seq ${send.seq})`}, not in the database`,
      });
    } else if (send.seq !== undefined && rows[0].seq !== send.seq) {
      violations.push({
        kind: 'seq_mismatch',
        conversationId: send.conversationId,
        seq: send.seq,
        clientMsgId: send.clientMsgId,
        detail: `sender was told seq ${send.seq}, the database holds seq ${rows[0].seq}`,
      });
    }
  }
  // No accepted send given up on: persistence retries what fails for a passing reason, and tells the sender otherwise.
  let deadLetteredAccepted = 0;
  let deadLetteredAcceptedTold = 0;
  const deadLettered = input.deadLettered ?? [];
  const sendsByKey = new Map(input.sends.map((send) => [key(send.conversationId, send.senderId, send.clientMsgId), send]));
  for (const dead of new Map(deadLettered.map((d) => [key(d.conversationId, d.senderId, d.clientMsgId), d])).values()) {
    const send = sendsByKey.get(key(dead.conversationId, dead.senderId, dead.clientMsgId));
    if (!send || send.acceptedAt === undefined) continue;
    deadLetteredAccepted += 1;
    if (send.outcome === 'not_stored') deadLetteredAcceptedTold += 1;
    violations.push({
      kind: 'dead_lettered_accepted',
      conversationId: dead.conversationId,
      deviceId: send.deviceId,
      clientMsgId: dead.clientMsgId,
      detail: `accepted by ${send.deviceId}, then dead-lettered by persistence${send.outcome === 'not_stored' ? ', sender told not_stored' : ', sender never told'}${byIdempotencyKey.has(key(dead.conversationId, dead.senderId, dead.clientMsgId)) ? ' (a resend stored it)' : ''}`,
    });
  }
  let storedWithoutAcceptance = 0;
  for (const idempotency of byIdempotencyKey.keys()) if (!acceptedKeys.has(idempotency)) storedWithoutAcceptance += 1;

  // Every member device: every stored message of its conversations, once, in seq order.
  const membersOf = new Map<string, Set<string>>();
  for (const { conversationId, userId } of input.members) {
    const members = membersOf.get(conversationId) ?? new Set<string>();
    members.add(userId);
    membersOf.set(conversationId, members);
  }
  let deliveriesExpected = 0;
  let delivered = 0;
  let lostDeliveries = 0;
  let outOfOrder = 0;
  let duplicateDeliveries = 0;
  let redelivered = 0;
  for (const device of input.devices) {
    redelivered += device.redelivered;
    const got = new Set<string>();
    const highestSeen = new Map<string, number>();
    for (const delivery of device.deliveries) {
      const deliveryKey = key(delivery.conversationId, delivery.seq);
      if (!membersOf.get(delivery.conversationId)?.has(device.userId)) {
        violations.push(deliveryViolation('not_member_delivery', device.deviceId, delivery, `${device.userId} is not a member`));
      }
      if (got.has(deliveryKey)) {
        duplicateDeliveries += 1;
        violations.push(deliveryViolation('duplicate_delivery', device.deviceId, delivery, 'delivered twice'));
        continue;
      }
      got.add(deliveryKey);
      const highest = highestSeen.get(delivery.conversationId) ?? 0;
      if (delivery.seq < highest) {
        outOfOrder += 1;
        violations.push(deliveryViolation('out_of_order', device.deviceId, delivery, `arrived after seq ${highest}`));
      }
      highestSeen.set(delivery.conversationId, Math.max(highest, delivery.seq));
      const row = bySeq.get(deliveryKey);
      if (!row) {
        violations.push(deliveryViolation('delivery_mismatch', device.deviceId, delivery, 'delivered, but the database holds no such seq'));
      } else if (row.messageId !== delivery.messageId) {
        violations.push(deliveryViolation('delivery_mismatch', device.deviceId, delivery, `delivered as message ${delivery.messageId}, stored as ${row.messageId}`));
      } else {
        delivered += 1;
      }
    }
    for (const row of input.stored) {
      if (!membersOf.get(row.conversationId)?.has(device.userId)) continue;
      deliveriesExpected += 1;
      if (got.has(key(row.conversationId, row.seq))) continue;
      lostDeliveries += 1;
      violations.push({
        kind: 'missing_delivery',
        conversationId: row.conversationId,
        seq: row.seq,
        deviceId: device.deviceId,
        clientMsgId: row.clientMsgId,
        detail: `stored, never delivered to ${device.deviceId} (member ${device.userId})`,
      });
    }
  }

  for (const fault of input.faults) {
    if (fault.error !== undefined || fault.recoveryMs === undefined) {
      violations.push({ kind: 'not_recovered', detail: `${fault.fault}: ${fault.error ?? 'no recovery time'}` });
    }
  }

  return {
    report: {
      accepted,
      sendFailures,
      stored: input.stored.length,
      storedWithoutAcceptance,
      duplicatesStored,
      seqGaps,
      deliveriesExpected,
      delivered,
      lost: lostAccepted + lostDeliveries,
      outOfOrder,
      duplicateDeliveries,
      redelivered,
      deadLetteredSends: deadLettered.length,
      deadLetteredAccepted,
      deadLetteredAcceptedTold,
    },
    violations,
  };
}

function deliveryViolation(kind: ViolationKind, deviceId: string, delivery: Delivery, detail: string): Violation {
  return { kind, conversationId: delivery.conversationId, seq: delivery.seq, deviceId, clientMsgId: delivery.clientMsgId, detail };
}

/** One line per violation, e.g. for the CLI's output. */
export function describeViolation(violation: Violation): string {
  const where = [
    violation.conversationId && `conversation ${violation.conversationId}`,
    violation.seq !== undefined && `seq ${violation.seq}`,
    violation.deviceId && `device ${violation.deviceId}`,
  ].filter(Boolean);
  return `${violation.kind}${where.length > 0 ? ` (${where.join(', ')})` : ''}: ${violation.detail}`;
}
