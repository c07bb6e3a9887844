export * from './lib/errors';
export * from './lib/timing';
export * from './lib/backoff';
