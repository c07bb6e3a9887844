import { ProtocolError } from '@chat/wire';
import { GATEWAY_ID_PATTERN } from './ids';

/**
 * Every Kafka topic of the system, defined once. Partition counts are defaults for provisioning;
 * an operator may raise them (keys keep per-key order, never across a change of count).
 */
export interface TopicSpec {
  name: string;
  /** What the record key is; it decides ordering, because one key always lands on one partition. */
  key: string;
  partitions: number;
  /** Compacted topics keep the latest record per key (a changelog); others delete by retention. */
  compacted: boolean;
  retentionMs?: number;
}

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

export const Topics = {
  /**
   * `chat.user-registered`. Producer: auth. Consumers: persistence (which users exist), router.
   * Compacted by userId: the topic is the directory of users, readable from the start by any service.
   */
  users: { name: 'chat.users', key: 'userId', partitions: 3, compacted: true },
  /**
   * `chat.session-revoked`. Producer: auth (logout, log out everywhere, a reused refresh token).
   * Consumers: every gateway, each reading the whole topic from the start with a group of its own
   * (closes the session's sockets, refuses its tokens). Keyed by sessionId. Retention outlives the
   * longest access-token lifetime (1 day), after which a revocation has nothing left to refuse.
   */
  sessions: { name: 'chat.sessions', key: 'sessionId', partitions: 3, compacted: false, retentionMs: 2 * DAY_MS },
  /**
   * `chat.command.*` (ChatCommands). Producer: gateway. Consumer: persistence. Keyed by
   * conversationId so one conversation's commands are handled in order by one instance (seq
   * assignment needs no lock); by userId for commands without a conversation (see chatCommandKey).
   * Short retention: a command is stale once its client has given up waiting.
   */
  commands: { name: 'chat.commands', key: 'conversationId, else userId (chatCommandKey)', partitions: 12, compacted: false, retentionMs: 3 * DAY_MS },
  /**
   * The reads `chat.command.sync-request`, `…history-request`, `…list-conversations-request`
   * (ChatQueries). Producer: gateway. Consumer:
   * persistence (group `persistence.queries`, its own concurrency), apart from `chat.commands` so a
   * storm of reads never queues behind, or in front of, a conversation's sends. Keyed by userId: reads
   * need no order (each is answered on its own, idempotently), only spreading. At-least-once: a read
   * redelivered after a crash is answered again, which the client tolerates. Short retention: a read is
   * stale once its client has given up waiting.
   */
  queries: { name: 'chat.queries', key: 'userId (chatQueryKey)', partitions: 12, compacted: false, retentionMs: HOUR_MS },
  /**
   * `chat.message-stored`, `chat.receipt-stored`, `chat.command-answers` (ChatEvents): persistence's
   * facts, and only persistence may write them (Kafka ACLs, kafka-acls.ts). Consumer: router. Keyed
   * by conversationId (a command answer by its command's key) so a conversation's events reach
   * clients in order.
   */
  events: { name: 'chat.events', key: 'conversationId (answers: the command key)', partitions: 12, compacted: false, retentionMs: 7 * DAY_MS },
  /**
   * `chat.typing-changed`. Producer: gateway (typing is not stored). Consumer: router (group
   * `router.typing`), which checks membership and forwards it to the other members. Its own topic,
   * apart from `chat.events`, so a gateway's Kafka principal can be refused writing stored facts.
   * Keyed by conversationId. Short retention: typing older than a minute means nothing.
   */
  typing: { name: 'chat.typing', key: 'conversationId', partitions: 12, compacted: false, retentionMs: HOUR_MS },
  /**
   * `chat.membership-changed`. Producer: persistence. Consumer: router. Compacted by conversationId:
   * the latest record is the full member list, so the router rebuilds membership (for typing and
   * presence fan-out) after a restart by reading from the start; events' retention would lose it.
   */
  memberships: { name: 'chat.memberships', key: 'conversationId', partitions: 12, compacted: true },
  /**
   * `chat.presence-changed`. Producer: gateway. Consumer: router (where each user is connected).
   * Compacted by `<gatewayId>/<userId>` (presenceKey): each gateway owns its own keys, so gateways
   * never overwrite each other's counts, and a tombstone removes a user from one gateway.
   */
  presence: { name: 'chat.presence', key: '<gatewayId>/<userId> (presenceKey)', partitions: 6, compacted: true },
  /**
   * `chat.gateway-lease-renewed`. Producer: gateway. Consumer: router (which gateways are alive).
   * Compacted by gatewayId: only the latest lease of each gateway matters.
   */
  gateways: { name: 'chat.gateways', key: 'gatewayId', partitions: 1, compacted: true },
  /**
   * `chat.announcement-published`. Producer: persistence (after storing it). Consumer: router, which
   * broadcasts each new one to every live gateway and keeps the current ones in a view for sockets
   * that connect later. Compacted by announcementId; persistence tombstones expired announcements,
   * so the topic holds only the current ones. One partition: a few announcements an hour.
   */
  announcements: { name: 'chat.announcements', key: 'announcementId', partitions: 1, compacted: true },
  /**
   * `chat.user-admin-requested`: an operator's command about one account (disable, enable, revoke
   * sessions, grant or revoke the administrator role), produced by `chatctl`. Consumer: auth (group
   * `auth.user-admin`), which applies it, commits, and answers on `chat.user-admin-results`. Keyed by
   * the lowercased username so one user's commands are applied in order. Short retention: a command is
   * stale once the operator stopped waiting.
   */
  userAdmin: { name: 'chat.user-admin', key: 'lowercased username', partitions: 3, compacted: false, retentionMs: DAY_MS },
  /**
   * `chat.user-admin-completed`: auth's answer to one `chat.user-admin` command, through its outbox
   * (committed with the change). Consumer: the `chatctl` that sent the command, reading from the end
   * it saw before sending (no group commits). Keyed by commandId.
   */
  userAdminResults: { name: 'chat.user-admin-results', key: 'commandId', partitions: 1, compacted: false, retentionMs: DAY_MS },
  /**
   * `ops.dlq-replayed`: which dead letters `chatctl dlq replay` already produced back to their source
   * topic, so a second replay is skipped unless forced. Producer and reader: chatctl. Compacted by
   * `<dlq topic>/<partition>/<offset>` (dlqReplayKey): one record per replayed dead letter.
   */
  dlqReplays: { name: 'ops.dlq-replays', key: '<dlq topic>/<partition>/<offset> (dlqReplayKey)', partitions: 1, compacted: true },
  /**
   * `ops.metrics-sample`: every instance's counters, gauges and latency histogram deltas, every sample
   * interval. Producer: every service. Consumer: metrics (a group per metrics instance, reading all).
   */
  metrics: { name: 'ops.metrics', key: 'instance id', partitions: 3, compacted: false, retentionMs: DAY_MS },
  /** Periodic liveness records of every service instance; read by metrics. */
  heartbeats: { name: 'ops.heartbeats', key: 'instance id', partitions: 1, compacted: false, retentionMs: DAY_MS },
} as const satisfies Record<string, TopicSpec>;

export const DELIVERY_TOPIC_PREFIX = 'chat.delivery.';

/**
 * `chat.frames-routed` for one gateway. Producers: persistence and router. Consumer: that gateway
 * only, which is why each gateway has its own topic: it reads just the frames for its sockets. Keyed by framesRoutedKey
 * (the socket for answers, else the conversation) so what must stay in order does. Short retention: a frame older than
 * that is useless live, and reconnecting clients catch up with `sync` anyway. Gateway ids should be
 * stable across restarts, or every restart leaves a topic behind.
 */
export function deliveryTopicFor(gatewayId: string): TopicSpec {
  if (!GATEWAY_ID_PATTERN.test(gatewayId)) {
    throw new ProtocolError('invalid_field', `gatewayId: "${gatewayId.slice(0, 80)}" must be 1-60 characters of a-z, 0-9 and -`, 'gatewayId');
  }
  return { name: `${DELIVERY_TOPIC_PREFIX}${gatewayId}`, key: 'connectionId, else conversationId (framesRoutedKey)', partitions: 3, compacted: false, retentionMs: HOUR_MS };
}

export const DLQ_SUFFIX = '.dlq';

/**
 * The one dead-letter topic of every gateway's delivery topic. Outside the `chat.delivery.` prefix on
 * purpose: a gateway may write it without being able to write any delivery topic (ACLs match names by
 * prefix, never by suffix, so a per-gateway `chat.delivery.<id>.dlq` would need WRITE on the whole
 * prefix, i.e. on every other gateway's sockets). Nothing consumes it; each record names the delivery
 * topic it came from in `dlq-source-topic`, which is where `chatctl dlq replay` puts it back.
 */
export const DELIVERY_DEAD_LETTER_TOPIC = `chat.deliveries${DLQ_SUFFIX}`;

/** Whether `topic` is a gateway's delivery topic (`chat.delivery.<gatewayId>`). */
export function isDeliveryTopic(topic: string): boolean {
  return topic.startsWith(DELIVERY_TOPIC_PREFIX);
}

/**
 * The dead-letter topic of a topic: `<topic>.dlq`, and for every gateway's delivery topic the shared
 * DELIVERY_DEAD_LETTER_TOPIC. Same partitions as the source would be wasteful; one suffices.
 */
export function deadLetterTopicOf(topic: string): TopicSpec {
  const name = isDeliveryTopic(topic) ? DELIVERY_DEAD_LETTER_TOPIC : `${topic}${DLQ_SUFFIX}`;
  return { name, key: 'the original key', partitions: 1, compacted: false, retentionMs: 14 * DAY_MS };
}

/** Whether a dead-letter topic holds the dead letters of several source topics (each record names its own). */
export function isSharedDeadLetterTopic(topic: string): boolean {
  return topic === DELIVERY_DEAD_LETTER_TOPIC;
}
