export * from './lib/errors';
export * from './lib/timing';
export * from './lib/backoff';
export * from './lib/command-line';
export * from './lib/periodic-task';
