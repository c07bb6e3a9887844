/*
 * What the harness records while it runs and reads from the database at the end: the input of the
 * checker. Plain data, so the checker is a pure function and its tests build these by hand.
 */

/** One send as the sending device saw it. */
export interface SendRecord {
  clientMsgId: string;
  senderId: string;
  deviceId: string;
  conversationId: string;
  /** When the app called send (ms). */
  sentAt: number;
  /** When the gateway's `accepted` came (durable in Kafka); unset if it never did. */
  acceptedAt?: number;
  /** The seq the sender learned: its own stored message coming back, or `accepted` of a resend. */
  seq?: number;
  /**
   * pending: no answer yet; accepted: durable, stored copy not seen yet; stored: seq known; failed:
   * the SDK gave up before `accepted`; not_stored: after `accepted` the sender was told `error
   * not_stored` (persistence gave up on it and dead-lettered it).
   */
  outcome: 'pending' | 'accepted' | 'stored' | 'failed' | 'not_stored';
  error?: string;
}

/** One message the SDK handed to the app on one device (after its dedupe and ordering). */
export interface Delivery {
  conversationId: string;
  seq: number;
  messageId: string;
  senderId: string;
  clientMsgId: string;
  at: number;
}

export interface DeviceLog {
  deviceId: string;
  userId: string;
  /** In arrival order. */
  deliveries: Delivery[];
  /** Messages the SDK dropped as already seen (live and sync overlapping, resends announced again). */
  redelivered: number;
}

/** A row of persistence's `messages` table. */
export interface StoredMessage {
  conversationId: string;
  seq: number;
  messageId: string;
  senderId: string;
  clientMsgId: string;
}

/** A row of persistence's `members` table. */
export interface Membership {
  conversationId: string;
  userId: string;
}

/** A row of persistence's `conversations` table. */
export interface ConversationRow {
  conversationId: string;
  lastSeq: number;
}

/** One injected fault and how long the system took to serve fully again. */
export interface FaultRecord {
  fault: string;
  /** ms since the start of traffic. */
  injectedAtMs: number;
  /** Injection until every process was ready, every device connected and a probe sent after the injection delivered. */
  recoveryMs?: number;
  /** What happened, e.g. the close code a slow consumer got. */
  detail?: string;
  /** Set when the system did not recover within the harness's deadline. */
  error?: string;
}

/** What names a send: the idempotency key persistence stores it under. */
export interface SendKey {
  conversationId: string;
  senderId: string;
  clientMsgId: string;
}

export interface CheckInput {
  sends: SendRecord[];
  /** Send-message commands in chat.commands.dlq (persistence gave up on them). */
  deadLettered?: SendKey[];
  devices: DeviceLog[];
  stored: StoredMessage[];
  members: Membership[];
  conversations: ConversationRow[];
  faults: FaultRecord[];
}
