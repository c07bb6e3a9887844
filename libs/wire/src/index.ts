// What a client and a gateway exchange over the WebSocket: frames, their codec, ids, limits, error and
// close codes. Browser-safe (no Node built-ins, checked by typecheck and lint), so the client SDK runs
// in a browser; the Kafka records between services build on it in libs/protocol.
export * from './lib/protocol-error';
export * from './lib/json';
export * from './lib/limits';
export * from './lib/ids';

export * from './lib/frames/content';
export * from './lib/frames/client-frames';
export * from './lib/frames/server-frames';
export * from './lib/frames/error-codes';
export * from './lib/frames/close-codes';
export * from './lib/frames/codec';
export * from './lib/frames/wire-codec';
export * from './lib/socket-auth';
