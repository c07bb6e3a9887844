export * from './lib/access-token';
export * from './lib/token-config';
export * from './lib/token-keys';
