export * from './lib/access-token';
export * from './lib/token-config';
