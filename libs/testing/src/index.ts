export * from './lib/advance-until';
export * from './lib/expect-eventually';
export * from './lib/seeded-random';
export * from './lib/thrown';
export * from './lib/documented-defaults';
