import { randomUUID } from 'node:crypto';
import { AnnouncementPublished, GatewayLeaseRenewed, MembershipChanged, PresenceChanged, presenceKey, ProtocolError } from '@chat/protocol';
import { consumedRecord } from '@chat/kafka/testing';
import { decodeAnnouncementRecord, decodeLeaseRecord, decodeMembershipRecord, decodePresenceRecord } from './view-records';

const alice = randomUUID();
const bob = randomUUID();


describe('view records', () => {
  it('read memberships, and tombstones by their key', () => {
    const conversationId = randomUUID();
    const change = MembershipChanged.create({ conversationId, kind: 'group', title: 'T', memberIds: [alice, bob], added: [bob], removed: [], by: alice });
    expect(decodeMembershipRecord(consumedRecord('chat.memberships', conversationId, change))).toEqual({
      conversationId,
      members: { kind: 'group', title: 'T', memberIds: [alice, bob] },
    });
    expect(decodeMembershipRecord(consumedRecord('chat.memberships', conversationId, null))).toEqual({ conversationId, members: null });
    expect(() => decodeMembershipRecord(consumedRecord('chat.memberships', 'nope', null))).toThrow(ProtocolError);
    expect(() => decodeMembershipRecord(consumedRecord('chat.memberships', randomUUID(), change))).toThrow(/does not match/);
  });

  it('read presence with the sockets waiting for their session frame, and tombstones by their key', () => {
    const opened = { connectionId: randomUUID(), heartbeatIntervalMs: 15_000, idleTimeoutMs: 30_000, limits: { maxFrameBytes: 65_536, framesPerSecond: 20, frameBurst: 40, maxConnectionsPerUser: 20 } };
    const value = PresenceChanged.create({ gatewayId: 'gw-1', userId: alice, connections: 2, at: 5, gatewayStartedAt: 1, openedSessions: [opened] });
    expect(decodePresenceRecord(consumedRecord('chat.presence', presenceKey('gw-1', alice), value))).toEqual({
      gatewayId: 'gw-1',
      userId: alice,
      value: { connections: 2, at: 5, gatewayStartedAt: 1 },
      openedSessions: [opened],
    });
    expect(decodePresenceRecord(consumedRecord('chat.presence', presenceKey('gw-1', alice), null))).toEqual({ gatewayId: 'gw-1', userId: alice, value: null, openedSessions: [] });
    expect(() => decodePresenceRecord(consumedRecord('chat.presence', presenceKey('gw-2', alice), value))).toThrow(/does not match/);
    expect(() => decodePresenceRecord(consumedRecord('chat.presence', null, null))).toThrow(ProtocolError);
  });

  it('read gateway leases, and tombstones by their key', () => {
    const lease = GatewayLeaseRenewed.create({ gatewayId: 'gw-1', startedAt: 1, at: 2, ttlMs: 15_000 });
    expect(decodeLeaseRecord(consumedRecord('chat.gateways', 'gw-1', lease))).toEqual({ gatewayId: 'gw-1', lease: { startedAt: 1, at: 2, ttlMs: 15_000 } });
    expect(decodeLeaseRecord(consumedRecord('chat.gateways', 'gw-1', null))).toEqual({ gatewayId: 'gw-1', lease: null });
    expect(() => decodeLeaseRecord(consumedRecord('chat.gateways', 'GW 1', null))).toThrow(ProtocolError);
    expect(() => decodeLeaseRecord(consumedRecord('chat.gateways', 'gw-1', PresenceChanged.create({ gatewayId: 'gw-1', userId: alice, connections: 1, at: 1, gatewayStartedAt: 1 })))).toThrow(
      ProtocolError,
    );
  });

  it('read announcements, and tombstones by their key', () => {
    const announcement = { announcementId: randomUUID(), senderId: alice, body: 'Welcome', sentAt: 1, expiresAt: 60_001 };
    const record = AnnouncementPublished.create({ announcement });
    expect(decodeAnnouncementRecord(consumedRecord('chat.announcements', announcement.announcementId, record))).toEqual({ announcementId: announcement.announcementId, announcement });
    expect(decodeAnnouncementRecord(consumedRecord('chat.announcements', announcement.announcementId, null))).toEqual({ announcementId: announcement.announcementId, announcement: null });
    expect(() => decodeAnnouncementRecord(consumedRecord('chat.announcements', 'nope', null))).toThrow(ProtocolError);
    expect(() => decodeAnnouncementRecord(consumedRecord('chat.announcements', randomUUID(), record))).toThrow(/does not match/);
  });
});
