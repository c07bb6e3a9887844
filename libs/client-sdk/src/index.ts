// Browser-safe (no Node built-ins; checked by typecheck and lint): the web client bundles this entry.
// Node's `ws` sockets live in '@chat/client-sdk/node'.
export * from './lib/errors';
export * from './lib/token';
export * from './lib/socket';
export * from './lib/backoff';
export * from './lib/conversation-state';
export * from './lib/outbox';
export * from './lib/chat-client.types';
export * from './lib/chat-client';
export * from './lib/auth-client';
export * from './lib/auth-session';
