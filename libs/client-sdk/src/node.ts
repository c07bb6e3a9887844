// The SDK's Node part: sockets from the `ws` package (the token in the Authorization header) for
// CLIs, load generators and tests. Everything else comes from '@chat/client-sdk'.
export * from './lib/node-socket';
