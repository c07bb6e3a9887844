import { AnnouncementIdSchema, AnnouncementPublished, type Announcement, ConversationIdSchema, GatewayIdSchema, GatewayLeaseRenewed, MembershipChanged, type OpenedSession, parsePresenceKey, PresenceChanged, ProtocolError } from '@chat/protocol';
import type { ConsumedRecord } from '@chat/kafka';
import type { ConversationMembers } from './membership-view';
import type { GatewayLease, PresenceValue } from './presence-view';

/*
 * The records of the compacted topics, as the views apply them. On these topics the key is
 * the identity (a tombstone has nothing else), so a record whose payload names another key is
 * rejected rather than guessed at.
 */

export interface MembershipRecord {
  conversationId: string;
  members: ConversationMembers | null;
}

export interface PresenceRecord {
  gatewayId: string;
  userId: string;
  value: PresenceValue | null;
  /** Sockets waiting for their `session` frame (none in a tombstone). */
  openedSessions: OpenedSession[];
}

export interface LeaseRecord {
  gatewayId: string;
  lease: GatewayLease | null;
}

export function decodeMembershipRecord(record: ConsumedRecord): MembershipRecord {
  const conversationId = keyOf(record, (key) => ConversationIdSchema.safeParse(key).success);
  if (record.value === null) return { conversationId, members: null };
  const { payload } = MembershipChanged.decode(record.value);
  if (payload.conversationId !== conversationId) throw keyMismatch(record, payload.conversationId);
  return { conversationId, members: { kind: payload.kind, title: payload.title, memberIds: payload.memberIds } };
}

export function decodePresenceRecord(record: ConsumedRecord): PresenceRecord {
  const { gatewayId, userId } = parsePresenceKey(record.key);
  if (record.value === null) return { gatewayId, userId, value: null, openedSessions: [] };
  const { payload } = PresenceChanged.decode(record.value);
  if (payload.gatewayId !== gatewayId || payload.userId.toLowerCase() !== userId.toLowerCase()) {
    throw keyMismatch(record, `${payload.gatewayId}/${payload.userId}`);
  }
  const value = { connections: payload.connections, at: payload.at, gatewayStartedAt: payload.gatewayStartedAt };
  return { gatewayId, userId, value, openedSessions: payload.openedSessions ?? [] };
}

export function decodeLeaseRecord(record: ConsumedRecord): LeaseRecord {
  const gatewayId = keyOf(record, (key) => GatewayIdSchema.safeParse(key).success);
  if (record.value === null) return { gatewayId, lease: null };
  const { payload } = GatewayLeaseRenewed.decode(record.value);
  if (payload.gatewayId !== gatewayId) throw keyMismatch(record, payload.gatewayId);
  return { gatewayId, lease: { startedAt: payload.startedAt, at: payload.at, ttlMs: payload.ttlMs } };
}

export interface AnnouncementRecord {
  announcementId: string;
  announcement: Announcement | null;
}

export function decodeAnnouncementRecord(record: ConsumedRecord): AnnouncementRecord {
  const announcementId = keyOf(record, (key) => AnnouncementIdSchema.safeParse(key).success);
  if (record.value === null) return { announcementId, announcement: null };
  const { announcement } = AnnouncementPublished.decode(record.value).payload;
  if (announcement.announcementId !== announcementId) throw keyMismatch(record, announcement.announcementId);
  return { announcementId, announcement };
}

function keyOf(record: ConsumedRecord, valid: (key: string) => boolean): string {
  if (record.key === null || !valid(record.key)) {
    throw new ProtocolError('invalid_field', `key: "${(record.key ?? '').slice(0, 120)}" is not a valid key of ${record.topic}`, 'key');
  }
  return record.key;
}

function keyMismatch(record: ConsumedRecord, payloadKey: string): ProtocolError {
  return new ProtocolError('invalid_field', `key: "${(record.key ?? '').slice(0, 120)}" does not match the payload's "${payloadKey.slice(0, 120)}"`, 'key');
}
