// The whole protocol for services: the WebSocket wire (frames, codec, ids, limits, codes) from
// libs/wire, plus the Kafka records, topics and headers that only services exchange. Services import
// both from here; the client SDK imports libs/wire alone.
export * from '@chat/wire';

export * from './lib/trace';
export * from './lib/envelope';
export * from './lib/record-set';
export * from './lib/headers';
export * from './lib/topics';
export * from './lib/kafka-acls';
export * from './lib/heartbeat';
export * from './lib/ids';

export * from './lib/records/reply-to';
export * from './lib/records/users';
export * from './lib/records/sessions';
export * from './lib/records/commands';
export * from './lib/records/events';
export * from './lib/records/memberships';
export * from './lib/records/presence';
export * from './lib/records/gateways';
export * from './lib/records/delivery';
export * from './lib/records/announcements';
export * from './lib/records/user-admin';
export * from './lib/metrics-sample';
