export * from './lib/trace-context';
export * from './lib/logger';
export * from './lib/nest-logger';
