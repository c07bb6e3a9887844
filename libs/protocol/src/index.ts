export * from './lib/protocol-error';
export * from './lib/json';
export * from './lib/trace';
export * from './lib/envelope';
export * from './lib/record-set';
export * from './lib/headers';
export * from './lib/topics';
export * from './lib/heartbeat';
export * from './lib/limits';
export * from './lib/ids';

export * from './lib/frames/content';
export * from './lib/frames/client-frames';
export * from './lib/frames/server-frames';
export * from './lib/frames/error-codes';
export * from './lib/frames/close-codes';
export * from './lib/frames/codec';

export * from './lib/records/reply-to';
export * from './lib/records/users';
export * from './lib/records/commands';
export * from './lib/records/events';
export * from './lib/records/memberships';
export * from './lib/records/presence';
export * from './lib/records/gateways';
export * from './lib/records/delivery';
export * from './lib/metrics-sample';
