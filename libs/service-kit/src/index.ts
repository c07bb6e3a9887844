export * from './lib/config';
export * from './lib/readiness';
export * from './lib/service-identity';
export * from './lib/service-kit.module';
export * from './lib/heartbeat.publisher';
export * from './lib/metrics-sample.publisher';
export * from './lib/bootstrap';
