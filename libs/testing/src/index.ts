export * from './lib/expect-eventually';
